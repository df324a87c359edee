// Expansion of:
// #[endpoint(GET, "/findings/{id}", response = Finding)]
// /// Fetches one finding.
// #[derive(Debug, Clone)]
// pub struct GetFinding {
//     pub id: FindingId,
// }

/// Fetches one finding.
#[derive(Debug, Clone)]
pub struct GetFinding {
    pub id: FindingId,
}
#[automatically_derived]
impl ::s4e::__private::Endpoint for GetFinding {
    type Output = Finding;
    const METHOD: ::s4e::__private::Method = ::s4e::__private::Method::Get;
    const PATH: &'static str = "/findings/{id}";
    const FIELDS: &'static [::s4e::__private::FieldSpec] = &[
        ::s4e::__private::FieldSpec {
            name: "id",
            location: ::s4e::__private::FieldLocation::Path,
            required: true,
        },
    ];
    fn write_path(
        &self,
        path: &mut ::s4e::__private::PathBuilder,
    ) -> ::s4e::__private::Result<()> {
        path.literal("/findings/");
        ::s4e::__private::assert_field::<FindingId>();
        path.param("id", &self.id)?;
        ::core::result::Result::Ok(())
    }
    fn decode(
        response: ::s4e::__private::RawResponse<'_>,
    ) -> ::s4e::__private::Result<Self::Output> {
        ::s4e::__private::assert_response::<Finding>();
        ::s4e::__private::decode_json::<Finding>(response)
    }
}
