// Expansion of:
// #[endpoint(GET, "/findings/{finding_id}", response = Finding)]
// pub struct GetFinding {
//     pub id: FindingId,
//     #[body]
//     pub status: Option<FindingStatus>,
// }

::core::compile_error! {
    "path placeholder `{finding_id}` has no matching field; add a field `finding_id`"
}
::core::compile_error! {
    "`GET` requests have no body, so `#[body]` cannot be used here; remove it to send `status` as a query parameter"
}
pub struct GetFinding {
    pub id: FindingId,
    pub status: Option<FindingStatus>,
}
impl ::s4e::__private::Endpoint for GetFinding {
    type Output = Finding;
    const METHOD: ::s4e::__private::Method = ::s4e::__private::Method::Get;
    const PATH: &'static str = "/findings/{finding_id}";
    fn write_path(
        &self,
        _: &mut ::s4e::__private::PathBuilder,
    ) -> ::s4e::__private::Result<()> {
        ::core::unreachable!()
    }
    fn decode(
        _: ::s4e::__private::RawResponse<'_>,
    ) -> ::s4e::__private::Result<Self::Output> {
        ::core::unreachable!()
    }
}
impl GetFinding {
    /// Sets `status`.
    #[must_use]
    pub fn status(mut self, value: impl ::core::convert::Into<FindingStatus>) -> Self {
        self.status = ::core::option::Option::Some(value.into());
        self
    }
}
