//! Assets with the async client: every operation, and filters that agree with
//! what was created.

use s4e::Error;
use s4e::assets::{AssetSortBy, AssetStatus, AssetType, NewAsset, SortOrder};

use crate::support::{self, TestResult, ids, sorted};

#[tokio::test]
async fn every_asset_operation() -> TestResult {
    let (_sandbox, client, controls) = support::start_with_client().await?;

    let seeded = client.assets().list().per_page(100).await?;
    assert_eq!(seeded.total, Some(36));
    assert_eq!(seeded.items.len(), 36);

    let created = client
        .assets()
        .create("Shop.E2E-Assets.example", AssetType::Domain)
        .tags(["e2e-crud", "prod"])
        .await?;
    assert_eq!(
        created.domain, "shop.e2e-assets.example",
        "domains are lowercased"
    );
    assert_eq!(created.asset_type, AssetType::Domain);
    assert_eq!(created.status, Some(AssetStatus::PendingVerification));
    assert!(!created.verified);
    assert_eq!(created.tags, ["e2e-crud", "prod"]);
    assert_eq!(created.id, "a-1037", "ids continue the seeded sequence");

    let got = client.assets().get(created.id.clone()).await?;
    assert_eq!(got.id, created.id);
    assert_eq!(got.domain, created.domain);
    let summary = got.finding_summary.expect("get has finding_summary");
    assert_eq!(summary.critical + summary.high + summary.medium, 0);
    assert!(got.metadata.is_some(), "get has metadata");

    let updated = client
        .assets()
        .update(created.id.clone())
        .tags(["e2e-crud", "pci"])
        .description("checkout")
        .await?;
    assert_eq!(updated.tags, ["e2e-crud", "pci"]);
    assert_eq!(updated.description.as_deref(), Some("checkout"));
    let got = client.assets().get(created.id.clone()).await?;
    assert_eq!(got.tags, ["e2e-crud", "pci"], "the update was stored");

    let verified = client.assets().verify(created.id.clone()).await?;
    assert!(verified.verified);
    assert_eq!(verified.status, Some(AssetStatus::Active));
    // Verifying twice is harmless.
    assert!(client.assets().verify(created.id.clone()).await?.verified);

    let bulk = client
        .assets()
        .bulk_create(vec![
            NewAsset::new("198.51.100.77", AssetType::Ip).tags(["e2e-crud"]),
            NewAsset::new("192.0.2.0/28", AssetType::Network).tags(["e2e-crud"]),
            NewAsset::new("not a domain", AssetType::Domain),
        ])
        .await?;
    assert_eq!(bulk.created.len(), 2, "{bulk:?}");
    assert_eq!(bulk.failed.len(), 1, "{bulk:?}");
    assert_eq!(bulk.failed[0].name, "not a domain");
    assert!(!bulk.failed[0].error.is_empty());
    assert_eq!(bulk.created[0].domain, "198.51.100.77");
    assert_eq!(bulk.created[1].asset_type, AssetType::Network);

    let tagged = client.assets().list().tag("e2e-crud").await?;
    let mut expected = vec![created.id.to_string()];
    expected.extend(ids(&bulk.created, |a| &a.id));
    assert_eq!(
        sorted(ids(&tagged.items, |a| &a.id)),
        sorted(expected.clone())
    );
    assert_eq!(tagged.total, Some(3));
    let auto: Vec<s4e::Asset> = client
        .assets()
        .list_auto()
        .tag("e2e-crud")
        .try_collect()
        .await?;
    assert_eq!(ids(&auto, |a| &a.id), ids(&tagged.items, |a| &a.id));

    client.assets().delete(created.id.clone()).await?;
    let err = support::not_found(client.assets().get(created.id.clone()).await);
    assert_eq!(err.code(), Some("not_found"));
    support::assert_is_last_logged(&controls, &err);
    let err = client
        .assets()
        .delete(created.id.clone())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::NotFound(_)), "deleting twice: {err:?}");
    let after = client.assets().list().per_page(1).await?;
    assert_eq!(
        after.total,
        Some(36 + 2),
        "one of three created assets deleted"
    );
    Ok(())
}

#[tokio::test]
async fn asset_filters_agree_with_what_was_created() -> TestResult {
    let sandbox = support::start().await?;
    let client = support::client(&sandbox);
    let tag = "e2e-filters-7f3a";
    let specs = [
        ("zeta.filters.example", AssetType::Domain),
        ("alpha.filters.example", AssetType::Domain),
        ("203.0.113.201", AssetType::Ip),
        ("https://mid.filters.example/login", AssetType::Url),
        ("198.51.100.0/26", AssetType::Network),
    ];
    let mut created = Vec::new();
    for (name, kind) in specs {
        created.push(client.assets().create(name, kind).tags([tag]).await?);
    }
    // An asset without the tag, which no tag filter may return.
    client
        .assets()
        .create("untagged.filters.example", AssetType::Domain)
        .await?;
    for asset in &created[..2] {
        client.assets().verify(asset.id.clone()).await?;
    }

    let tagged = client.assets().list().tag(tag).await?;
    assert_eq!(tagged.total, Some(5));
    assert_eq!(
        sorted(ids(&tagged.items, |a| &a.id)),
        sorted(ids(&created, |a| &a.id))
    );
    assert!(tagged.items.iter().all(|a| a.tags.iter().any(|t| t == tag)));

    let domains = client
        .assets()
        .list()
        .tag(tag)
        .asset_type(AssetType::Domain)
        .await?;
    assert_eq!(
        sorted(ids(&domains.items, |a| &a.id)),
        sorted(ids(&created[..2], |a| &a.id))
    );
    for kind in [AssetType::Ip, AssetType::Url, AssetType::Network] {
        let page = client
            .assets()
            .list()
            .tag(tag)
            .asset_type(kind.clone())
            .await?;
        assert_eq!(page.items.len(), 1, "{kind}");
        assert_eq!(page.items[0].asset_type, kind);
    }

    let active = client
        .assets()
        .list()
        .tag(tag)
        .status(AssetStatus::Active)
        .await?;
    assert_eq!(
        sorted(ids(&active.items, |a| &a.id)),
        sorted(ids(&created[..2], |a| &a.id))
    );
    let pending = client
        .assets()
        .list()
        .tag(tag)
        .status(AssetStatus::PendingVerification)
        .await?;
    assert_eq!(
        sorted(ids(&pending.items, |a| &a.id)),
        sorted(ids(&created[2..], |a| &a.id))
    );

    let by_name = client
        .assets()
        .list()
        .tag(tag)
        .sort_by(AssetSortBy::Name)
        .sort_order(SortOrder::Asc)
        .await?;
    let names: Vec<&str> = by_name.items.iter().map(|a| a.domain.as_str()).collect();
    let mut expected = names.clone();
    expected.sort_unstable();
    assert_eq!(names, expected);
    assert_eq!(names[0], "198.51.100.0/26");

    let found = client.assets().list().search("mid.filters").await?;
    assert_eq!(ids(&found.items, |a| &a.id), [created[3].id.to_string()]);

    // The same filters on the whole list, client-side, give the same answer.
    let all: Vec<s4e::Asset> = client
        .assets()
        .list_auto()
        .per_page(100)
        .try_collect()
        .await?;
    let domains_everywhere: Vec<String> = all
        .iter()
        .filter(|a| a.asset_type == AssetType::Domain)
        .map(|a| a.id.to_string())
        .collect();
    let filtered: Vec<s4e::Asset> = client
        .assets()
        .list_auto()
        .asset_type(AssetType::Domain)
        .per_page(100)
        .try_collect()
        .await?;
    assert_eq!(ids(&filtered, |a| &a.id), domains_everywhere);
    assert!(domains_everywhere.len() > 20);
    Ok(())
}
