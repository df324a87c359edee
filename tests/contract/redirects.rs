//! Redirects: a `GET` follows them (at most 10, the key only on the base
//! URL's origin); a write never does, and says so with `Error::Redirect`; a
//! loop costs one call 11 requests, never that times the retries.

use s4e::{AssetType, Error, ExportFormat, RedirectReason};
use wiremock::matchers::header;
use wiremock::{MockServer, ResponseTemplate};

use crate::support::{self, KEY, MountExpecting};

/// A user-declared `PUT`, the one write method the API's own modules lack.
#[s4e::endpoint(PUT, "/things/{id}", response = serde_json::Value)]
struct PutThing {
    id: String,
    name: String,
}

fn redirect(status: u16, location: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).insert_header("location", location)
}

/// Asserts `err` is a refused redirect and returns its parts.
fn refused(err: &Error) -> (u16, Option<&str>, RedirectReason) {
    match err {
        Error::Redirect {
            status,
            location,
            reason,
            ..
        } => (*status, location.as_deref(), *reason),
        other => panic!("expected Error::Redirect, got {other:?}"),
    }
}

/// Mounts a redirect answer for `verb path` on `server`, expected `times`.
async fn mount_redirect(
    server: &MockServer,
    verb: &str,
    at: &str,
    status: u16,
    location: &str,
    times: u64,
) {
    support::route(verb, at)
        .respond_with(redirect(status, location))
        .mount_expecting(server, times)
        .await;
}

/// The bug this fixes: a `POST` answered 301 or 302 was re-sent as a `GET`
/// (body dropped, idempotency key attached) and returned `Ok` although
/// nothing was created. Now every redirect status ends the call, unretried,
/// and nothing goes to the target, on this origin or another.
#[tokio::test]
async fn a_post_answered_with_any_redirect_fails_and_goes_nowhere() {
    for status in [301, 302, 303, 307, 308] {
        for to_other_origin in [false, true] {
            let origin = support::start().await;
            // Its catch-all fails the test if anything arrives there.
            let elsewhere = support::start().await;
            let target = if to_other_origin {
                format!("{}/v1/assets", elsewhere.uri())
            } else {
                format!("{}/v1/assets/moved", origin.uri())
            };
            mount_redirect(&origin, "POST", "/v1/assets", status, &target, 1).await;
            let err = support::client(&origin)
                .assets()
                .create("shop.example.com", AssetType::Domain)
                .await
                .expect_err("a redirected create is not a create");
            assert_eq!(
                refused(&err),
                (status, Some(target.as_str()), RedirectReason::Write),
                "{status} {err}"
            );
            assert!(!err.is_retryable());
            assert_eq!(err.status(), Some(status));
            let message = err.to_string();
            assert!(
                message.contains(&status.to_string()) && message.contains(&target),
                "{message}"
            );
        }
    }
}

#[tokio::test]
async fn patch_put_delete_and_an_idempotent_post_do_not_follow_either() {
    let server = support::start().await;
    let target = format!("{}/v1/elsewhere", server.uri());
    mount_redirect(&server, "PATCH", "/v1/findings/f-1", 307, &target, 1).await;
    mount_redirect(&server, "PUT", "/v1/things/t-1", 308, &target, 1).await;
    mount_redirect(&server, "DELETE", "/v1/assets/a-1", 302, &target, 1).await;
    mount_redirect(&server, "POST", "/v1/findings/export", 307, &target, 1).await;
    let client = support::client(&server);

    let err = client
        .findings()
        .update("f-1")
        .note("triaged")
        .await
        .unwrap_err();
    assert_eq!(
        refused(&err),
        (307, Some(target.as_str()), RedirectReason::Write)
    );
    let err = client
        .execute(PutThing {
            id: "t-1".to_owned(),
            name: "x".to_owned(),
        })
        .await
        .unwrap_err();
    assert_eq!(
        refused(&err),
        (308, Some(target.as_str()), RedirectReason::Write)
    );
    let err = client.assets().delete("a-1").await.unwrap_err();
    assert_eq!(
        refused(&err),
        (302, Some(target.as_str()), RedirectReason::Write)
    );
    // Retried on any transient failure as it is, the export still does not
    // follow: a refused redirect is not transient.
    let mut out = Vec::new();
    let err = client
        .findings()
        .export(ExportFormat::Csv)
        .write_to(&mut out)
        .await
        .unwrap_err();
    assert_eq!(
        refused(&err),
        (307, Some(target.as_str()), RedirectReason::Write)
    );
    assert!(out.is_empty());
}

#[tokio::test]
async fn a_get_follows_ten_redirects_of_every_kind() {
    let server = support::start().await;
    let statuses = [301, 302, 303, 307, 308, 301, 302, 303, 307, 308];
    for (hop, status) in statuses.into_iter().enumerate() {
        let next = if hop + 1 == statuses.len() {
            "/v1/findings/f-1".to_owned()
        } else {
            // Relative, as servers often send it.
            format!("r{}", hop + 1)
        };
        support::route("GET", format!("/v1/findings/r{hop}"))
            .and(header("authorization", format!("Bearer {KEY}").as_str()))
            .respond_with(redirect(status, &next))
            .mount_expecting(&server, 1)
            .await;
    }
    support::route("GET", "/v1/findings/f-1")
        .and(header("authorization", format!("Bearer {KEY}").as_str()))
        .respond_with(support::finding_response("f-1"))
        .mount_expecting(&server, 1)
        .await;
    let finding = support::get_finding(&server, "r0")
        .await
        .expect("ten redirects on the same origin are followed, with the key");
    assert_eq!(finding.id, "f-1");
}

/// The async half; `blocking::a_redirect_loop_costs_the_blocking_client_eleven_requests`
/// is the other.
#[tokio::test]
async fn a_redirect_loop_is_eleven_requests_and_no_retry() {
    let server = support::start().await;
    let here = format!("{}/v1/findings/loop", server.uri());
    mount_redirect(&server, "GET", "/v1/findings/loop", 302, &here, 11).await;
    let err = support::builder(&server)
        .retries(3)
        .build()
        .unwrap()
        .findings()
        .get("loop")
        .await
        .expect_err("a loop never ends in an answer");
    assert_eq!(
        refused(&err),
        (302, Some(here.as_str()), RedirectReason::TooMany)
    );
    assert!(!err.is_retryable());
    assert_eq!(support::received(&server).await.len(), 11);
}

#[tokio::test]
async fn another_origin_gets_neither_the_key_nor_the_idempotency_key() {
    let origin = support::start().await;
    let elsewhere = support::start().await;
    support::route("GET", "/v1/findings/f-1")
        .and(header("authorization", format!("Bearer {KEY}").as_str()))
        .and(header("idempotency-key", "read-once-7"))
        .respond_with(redirect(
            307,
            &format!("{}/v1/findings/f-1", elsewhere.uri()),
        ))
        .mount_expecting(&origin, 1)
        .await;
    support::route("GET", "/v1/findings/f-1")
        .and(support::header_missing("authorization"))
        .and(support::header_missing("x-api-key"))
        .and(support::header_missing("idempotency-key"))
        .respond_with(support::finding_response("f-1"))
        .mount_expecting(&elsewhere, 1)
        .await;
    let finding = support::client(&origin)
        .findings()
        .get("f-1")
        .idempotency_key("read-once-7")
        .await
        .expect("a Bearer client follows to another origin, without its keys");
    assert_eq!(finding.id, "f-1");
    for request in support::received(&elsewhere).await {
        assert!(!format!("{:?}", request.headers).contains(KEY));
    }
}

#[tokio::test]
async fn a_redirect_without_a_usable_location_is_an_error() {
    let server = support::start().await;
    support::route("GET", "/v1/findings/f-1")
        .respond_with(ResponseTemplate::new(302))
        .mount_expecting(&server, 1)
        .await;
    mount_redirect(
        &server,
        "GET",
        "/v1/findings/f-2",
        301,
        "ftp://files.example.com/f-2",
        1,
    )
    .await;
    let client = support::client(&server);
    let err = client.findings().get("f-1").await.unwrap_err();
    assert_eq!(refused(&err), (302, None, RedirectReason::InvalidLocation));
    let err = client.findings().get("f-2").await.unwrap_err();
    assert_eq!(
        refused(&err),
        (
            301,
            Some("ftp://files.example.com/f-2"),
            RedirectReason::InvalidLocation
        )
    );
}

#[tokio::test]
async fn credentials_in_a_location_are_not_repeated() {
    let server = support::start().await;
    mount_redirect(
        &server,
        "POST",
        "/v1/assets",
        302,
        "https://admin:hunter2@other.example.com/v1/assets",
        1,
    )
    .await;
    let err = support::client(&server)
        .assets()
        .create("shop.example.com", AssetType::Domain)
        .await
        .unwrap_err();
    assert_eq!(
        refused(&err),
        (
            302,
            Some("https://other.example.com/v1/assets"),
            RedirectReason::Write
        )
    );
    let shown = format!("{err} {err:?}");
    assert!(
        !shown.contains("hunter2") && !shown.contains("admin"),
        "{shown}"
    );
}
