// Expansion of:
// #[endpoint(GET, "/webhooks", response = Vec<Webhook>)]
// pub struct ListWebhooks;

pub struct ListWebhooks;
#[automatically_derived]
impl ::s4e::__private::Endpoint for ListWebhooks {
    type Output = Vec<Webhook>;
    const METHOD: ::s4e::__private::Method = ::s4e::__private::Method::Get;
    const PATH: &'static str = "/webhooks";
    fn write_path(
        &self,
        path: &mut ::s4e::__private::PathBuilder,
    ) -> ::s4e::__private::Result<()> {
        path.literal("/webhooks");
        ::core::result::Result::Ok(())
    }
    fn decode(
        response: ::s4e::__private::RawResponse<'_>,
    ) -> ::s4e::__private::Result<Self::Output> {
        ::s4e::__private::assert_response::<Vec<Webhook>>();
        ::s4e::__private::decode_json::<Vec<Webhook>>(response)
    }
}
