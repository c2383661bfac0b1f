//! The signer function of a tenant's stack (`bootstrap` on `provided.al2023`), invoked by the
//! API function with `{tenant, key_id, message}`; the only code allowed to use the KMS key.

use hoadon_api::kms::SignRequest;
use lambda_http::lambda_runtime::{self, LambdaEvent, service_fn};
use std::sync::Arc;

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    hoadon_api::telemetry::init(hoadon_api::telemetry::Format::Json);
    let sdk = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
    let f = Arc::new(hoadon_api::lambda::signer(|k| std::env::var(k).ok(), &sdk)?);
    lambda_runtime::run(service_fn(move |event: LambdaEvent<SignRequest>| {
        let f = f.clone();
        async move { f.handle(event.payload).await }
    }))
    .await
}
