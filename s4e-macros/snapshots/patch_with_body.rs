// Expansion of:
// #[endpoint(PATCH, "/assets/{asset_id}/findings/{id}", response = Finding)]
// pub struct UpdateFinding {
//     pub asset_id: AssetId,
//     pub id: FindingId,
//     pub status: Option<FindingStatus>,
//     #[body(rename = "comment")]
//     pub note: Option<String>,
//     #[query]
//     pub notify: bool,
// }

pub struct UpdateFinding {
    pub asset_id: AssetId,
    pub id: FindingId,
    pub status: Option<FindingStatus>,
    pub note: Option<String>,
    pub notify: bool,
}
#[automatically_derived]
impl ::s4e::__private::Endpoint for UpdateFinding {
    type Output = Finding;
    const METHOD: ::s4e::__private::Method = ::s4e::__private::Method::Patch;
    const PATH: &'static str = "/assets/{asset_id}/findings/{id}";
    const HAS_BODY: bool = true;
    const FIELDS: &'static [::s4e::__private::FieldSpec] = &[
        ::s4e::__private::FieldSpec {
            name: "asset_id",
            location: ::s4e::__private::FieldLocation::Path,
            required: true,
        },
        ::s4e::__private::FieldSpec {
            name: "id",
            location: ::s4e::__private::FieldLocation::Path,
            required: true,
        },
        ::s4e::__private::FieldSpec {
            name: "status",
            location: ::s4e::__private::FieldLocation::Body,
            required: false,
        },
        ::s4e::__private::FieldSpec {
            name: "comment",
            location: ::s4e::__private::FieldLocation::Body,
            required: false,
        },
        ::s4e::__private::FieldSpec {
            name: "notify",
            location: ::s4e::__private::FieldLocation::Query,
            required: true,
        },
    ];
    fn write_path(
        &self,
        path: &mut ::s4e::__private::PathBuilder,
    ) -> ::s4e::__private::Result<()> {
        path.literal("/assets/");
        ::s4e::__private::assert_field::<AssetId>();
        path.param("asset_id", &self.asset_id)?;
        path.literal("/findings/");
        ::s4e::__private::assert_field::<FindingId>();
        path.param("id", &self.id)?;
        ::core::result::Result::Ok(())
    }
    fn write_query(
        &self,
        query: &mut ::s4e::__private::QueryBuilder,
    ) -> ::s4e::__private::Result<()> {
        ::s4e::__private::assert_field::<bool>();
        query.param("notify", &self.notify)?;
        ::core::result::Result::Ok(())
    }
    fn write_body(
        &self,
        body: &mut ::s4e::__private::BodyBuilder,
    ) -> ::s4e::__private::Result<()> {
        ::s4e::__private::assert_field::<Option<FindingStatus>>();
        body.field("status", &self.status)?;
        ::s4e::__private::assert_field::<Option<String>>();
        body.field("comment", &self.note)?;
        ::core::result::Result::Ok(())
    }
    fn decode(
        response: ::s4e::__private::RawResponse<'_>,
    ) -> ::s4e::__private::Result<Self::Output> {
        ::s4e::__private::assert_response::<Finding>();
        ::s4e::__private::decode_json::<Finding>(response)
    }
}
impl UpdateFinding {
    /// Sets `status`.
    #[must_use]
    pub fn status(mut self, value: impl ::core::convert::Into<FindingStatus>) -> Self {
        self.status = ::core::option::Option::Some(value.into());
        self
    }
    /// Sets `note`.
    #[must_use]
    pub fn note(mut self, value: impl ::core::convert::Into<String>) -> Self {
        self.note = ::core::option::Option::Some(value.into());
        self
    }
}
