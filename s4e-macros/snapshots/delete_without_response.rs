// Expansion of:
// #[endpoint(DELETE, "/assets/{id}")]
// pub struct DeleteAsset {
//     pub id: AssetId,
// }

pub struct DeleteAsset {
    pub id: AssetId,
}
#[automatically_derived]
impl ::s4e::__private::Endpoint for DeleteAsset {
    type Output = ();
    const METHOD: ::s4e::__private::Method = ::s4e::__private::Method::Delete;
    const PATH: &'static str = "/assets/{id}";
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
        path.literal("/assets/");
        ::s4e::__private::assert_field::<AssetId>();
        path.param("id", &self.id)?;
        ::core::result::Result::Ok(())
    }
    fn decode(
        response: ::s4e::__private::RawResponse<'_>,
    ) -> ::s4e::__private::Result<Self::Output> {
        ::s4e::__private::decode_empty(response)
    }
}
