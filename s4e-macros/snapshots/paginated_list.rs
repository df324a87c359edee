// Expansion of:
// #[endpoint(GET, "/findings", paginated, response = Finding)]
// #[derive(Debug, Default)]
// #[non_exhaustive]
// pub struct ListFindings {
//     /// Only findings of these severities.
//     pub severity: Option<Vec<Severity>>,
//     pub status: Option<FindingStatus>,
//     #[query(rename = "type")]
//     pub kind: Option<String>,
//     pub(crate) r#ref: Option<String>,
// }

#[derive(Debug, Default)]
#[non_exhaustive]
pub struct ListFindings {
    /// Only findings of these severities.
    pub severity: Option<Vec<Severity>>,
    pub status: Option<FindingStatus>,
    pub kind: Option<String>,
    pub(crate) r#ref: Option<String>,
}
#[automatically_derived]
impl ::s4e::__private::Endpoint for ListFindings {
    type Output = ::s4e::__private::Page<Finding>;
    const METHOD: ::s4e::__private::Method = ::s4e::__private::Method::Get;
    const PATH: &'static str = "/findings";
    const PAGINATED: bool = true;
    const FIELDS: &'static [::s4e::__private::FieldSpec] = &[
        ::s4e::__private::FieldSpec {
            name: "severity",
            location: ::s4e::__private::FieldLocation::Query,
            required: false,
        },
        ::s4e::__private::FieldSpec {
            name: "status",
            location: ::s4e::__private::FieldLocation::Query,
            required: false,
        },
        ::s4e::__private::FieldSpec {
            name: "type",
            location: ::s4e::__private::FieldLocation::Query,
            required: false,
        },
        ::s4e::__private::FieldSpec {
            name: "ref",
            location: ::s4e::__private::FieldLocation::Query,
            required: false,
        },
    ];
    fn write_path(
        &self,
        path: &mut ::s4e::__private::PathBuilder,
    ) -> ::s4e::__private::Result<()> {
        path.literal("/findings");
        ::core::result::Result::Ok(())
    }
    fn write_query(
        &self,
        query: &mut ::s4e::__private::QueryBuilder,
    ) -> ::s4e::__private::Result<()> {
        ::s4e::__private::assert_field::<Option<Vec<Severity>>>();
        query.param("severity", &self.severity)?;
        ::s4e::__private::assert_field::<Option<FindingStatus>>();
        query.param("status", &self.status)?;
        ::s4e::__private::assert_field::<Option<String>>();
        query.param("type", &self.kind)?;
        ::s4e::__private::assert_field::<Option<String>>();
        query.param("ref", &self.r#ref)?;
        ::core::result::Result::Ok(())
    }
    fn decode(
        response: ::s4e::__private::RawResponse<'_>,
    ) -> ::s4e::__private::Result<Self::Output> {
        ::s4e::__private::assert_response::<Finding>();
        ::s4e::__private::decode_page::<Finding>(response)
    }
}
#[automatically_derived]
impl ::s4e::__private::Paginated for ListFindings {
    type Item = Finding;
    fn item_identity(item: &Self::Item, state: &mut dyn ::core::hash::Hasher) -> bool {
        #[allow(unused_imports)]
        use ::s4e::__private::{IdentityFromTrait as _, IdentityNone as _};
        (&&::s4e::__private::IdentityProbe(item)).write_identity(state)
    }
}
impl ListFindings {
    /// Only findings of these severities.
    #[must_use]
    pub fn severity(
        mut self,
        values: impl ::core::iter::IntoIterator<
            Item = impl ::core::convert::Into<Severity>,
        >,
    ) -> Self {
        self.severity = ::core::option::Option::Some(
            values.into_iter().map(::core::convert::Into::into).collect(),
        );
        self
    }
    /// Sets `status`.
    #[must_use]
    pub fn status(mut self, value: impl ::core::convert::Into<FindingStatus>) -> Self {
        self.status = ::core::option::Option::Some(value.into());
        self
    }
    /// Sets `kind`.
    #[must_use]
    pub fn kind(mut self, value: impl ::core::convert::Into<String>) -> Self {
        self.kind = ::core::option::Option::Some(value.into());
        self
    }
    /// Sets `ref`.
    #[must_use]
    #[allow(dead_code)]
    pub(crate) fn r#ref(mut self, value: impl ::core::convert::Into<String>) -> Self {
        self.r#ref = ::core::option::Option::Some(value.into());
        self
    }
}
