// Expansion of:
// #[endpoint(GET, "/assets", paginated, response = Asset, crate = crate)]
// pub struct ListAssets {
//     /// Full-text search on the asset name.
//     pub search: Option<String>,
//     pub tags: Option<Vec<String>>,
// }

pub struct ListAssets {
    /// Full-text search on the asset name.
    pub search: Option<String>,
    pub tags: Option<Vec<String>>,
}
#[automatically_derived]
impl crate::__private::Endpoint for ListAssets {
    type Output = crate::__private::Page<Asset>;
    const METHOD: crate::__private::Method = crate::__private::Method::Get;
    const PATH: &'static str = "/assets";
    const PAGINATED: bool = true;
    const FIELDS: &'static [crate::__private::FieldSpec] = &[
        crate::__private::FieldSpec {
            name: "search",
            location: crate::__private::FieldLocation::Query,
            required: false,
        },
        crate::__private::FieldSpec {
            name: "tags",
            location: crate::__private::FieldLocation::Query,
            required: false,
        },
    ];
    fn write_path(
        &self,
        path: &mut crate::__private::PathBuilder,
    ) -> crate::__private::Result<()> {
        path.literal("/assets");
        ::core::result::Result::Ok(())
    }
    fn write_query(
        &self,
        query: &mut crate::__private::QueryBuilder,
    ) -> crate::__private::Result<()> {
        crate::__private::assert_field::<Option<String>>();
        query.param("search", &self.search)?;
        crate::__private::assert_field::<Option<Vec<String>>>();
        query.param("tags", &self.tags)?;
        ::core::result::Result::Ok(())
    }
    fn decode(
        response: crate::__private::RawResponse<'_>,
    ) -> crate::__private::Result<Self::Output> {
        crate::__private::assert_response::<Asset>();
        crate::__private::decode_page::<Asset>(response)
    }
}
#[automatically_derived]
impl crate::__private::Paginated for ListAssets {
    type Item = Asset;
    fn item_identity(item: &Self::Item, state: &mut dyn ::core::hash::Hasher) -> bool {
        #[allow(unused_imports)]
        use crate::__private::{IdentityFromTrait as _, IdentityNone as _};
        (&&crate::__private::IdentityProbe(item)).write_identity(state)
    }
}
impl ListAssets {
    /// Full-text search on the asset name.
    #[must_use]
    pub fn search(mut self, value: impl ::core::convert::Into<String>) -> Self {
        self.search = ::core::option::Option::Some(value.into());
        self
    }
    /// Sets `tags`.
    #[must_use]
    pub fn tags(
        mut self,
        values: impl ::core::iter::IntoIterator<
            Item = impl ::core::convert::Into<String>,
        >,
    ) -> Self {
        self.tags = ::core::option::Option::Some(
            values.into_iter().map(::core::convert::Into::into).collect(),
        );
        self
    }
}
impl<M> crate::Request<ListAssets, M> {
    /// Full-text search on the asset name.
    #[must_use]
    pub fn search(mut self, value: impl ::core::convert::Into<String>) -> Self {
        self.endpoint_mut().search = ::core::option::Option::Some(value.into());
        self
    }
    /// Sets `tags`.
    #[must_use]
    pub fn tags(
        mut self,
        values: impl ::core::iter::IntoIterator<
            Item = impl ::core::convert::Into<String>,
        >,
    ) -> Self {
        self.endpoint_mut().tags = ::core::option::Option::Some(
            values.into_iter().map(::core::convert::Into::into).collect(),
        );
        self
    }
}
impl<M> crate::Paginator<ListAssets, M> {
    /// Full-text search on the asset name.
    #[must_use]
    pub fn search(mut self, value: impl ::core::convert::Into<String>) -> Self {
        self.endpoint_mut().search = ::core::option::Option::Some(value.into());
        self
    }
    /// Sets `tags`.
    #[must_use]
    pub fn tags(
        mut self,
        values: impl ::core::iter::IntoIterator<
            Item = impl ::core::convert::Into<String>,
        >,
    ) -> Self {
        self.endpoint_mut().tags = ::core::option::Option::Some(
            values.into_iter().map(::core::convert::Into::into).collect(),
        );
        self
    }
}
