// Expansion of:
// #[endpoint(POST, "/findings/export", idempotent, download)]
// pub struct ExportFindings {
//     pub format: ExportFormat,
//     #[header("X-Trace")]
//     pub trace: Option<String>,
//     #[body(flatten)]
//     pub extra: Option<serde_json::Value>,
// }

pub struct ExportFindings {
    pub format: ExportFormat,
    pub trace: Option<String>,
    pub extra: Option<serde_json::Value>,
}
#[automatically_derived]
impl ::s4e::__private::Endpoint for ExportFindings {
    type Output = ::std::vec::Vec<u8>;
    const METHOD: ::s4e::__private::Method = ::s4e::__private::Method::Post;
    const PATH: &'static str = "/findings/export";
    const IDEMPOTENT: bool = true;
    const HAS_BODY: bool = true;
    const FIELDS: &'static [::s4e::__private::FieldSpec] = &[
        ::s4e::__private::FieldSpec {
            name: "format",
            location: ::s4e::__private::FieldLocation::Body,
            required: true,
        },
        ::s4e::__private::FieldSpec {
            name: "X-Trace",
            location: ::s4e::__private::FieldLocation::Header,
            required: false,
        },
        ::s4e::__private::FieldSpec {
            name: "extra",
            location: ::s4e::__private::FieldLocation::Flatten,
            required: false,
        },
    ];
    fn write_path(
        &self,
        path: &mut ::s4e::__private::PathBuilder,
    ) -> ::s4e::__private::Result<()> {
        path.literal("/findings/export");
        ::core::result::Result::Ok(())
    }
    fn write_body(
        &self,
        body: &mut ::s4e::__private::BodyBuilder,
    ) -> ::s4e::__private::Result<()> {
        ::s4e::__private::assert_field::<ExportFormat>();
        body.field("format", &self.format)?;
        ::s4e::__private::assert_field::<Option<serde_json::Value>>();
        body.flatten("extra", &self.extra)?;
        ::core::result::Result::Ok(())
    }
    fn write_headers(
        &self,
        headers: &mut ::s4e::__private::HeaderBuilder,
    ) -> ::s4e::__private::Result<()> {
        ::s4e::__private::assert_field::<Option<String>>();
        headers.header("X-Trace", &self.trace)?;
        ::core::result::Result::Ok(())
    }
    fn decode(
        response: ::s4e::__private::RawResponse<'_>,
    ) -> ::s4e::__private::Result<Self::Output> {
        ::s4e::__private::decode_bytes(response)
    }
}
#[automatically_derived]
impl ::s4e::__private::Download for ExportFindings {}
impl ExportFindings {
    /// Sets `trace`.
    #[must_use]
    pub fn trace(mut self, value: impl ::core::convert::Into<String>) -> Self {
        self.trace = ::core::option::Option::Some(value.into());
        self
    }
    /// Sets `extra`.
    #[must_use]
    pub fn extra(
        mut self,
        value: impl ::core::convert::Into<serde_json::Value>,
    ) -> Self {
        self.extra = ::core::option::Option::Some(value.into());
        self
    }
}
