//! The API function of a tenant's stack (`bootstrap` on `provided.al2023`): hoadon's Router
//! behind API Gateway (HTTP API) or a Function URL. Settings: see `hoadon_api::lambda::ApiEnv`.
//!
//! The same executable is the stack's **sweep function** when `HOADON_SWEEP=1`: invoked by an
//! EventBridge schedule, each event runs one recovery sweep (one executable, one set of
//! adapters, no second build to keep in step).

use lambda_http::lambda_runtime::{self, LambdaEvent, service_fn};

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    hoadon_api::telemetry::init(hoadon_api::telemetry::Format::Json);
    let env = hoadon_api::lambda::ApiEnv::from_env()?;
    let sdk = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
    if std::env::var("HOADON_SWEEP").as_deref() == Ok("1") {
        let (state, _) = hoadon_api::lambda::app_state(&env, &sdk).await?;
        let tenant = env.tenant.clone();
        return lambda_runtime::run(service_fn(move |_: LambdaEvent<serde_json::Value>| {
            let (state, tenant) = (state.clone(), tenant.clone());
            async move {
                // The pass logs its `sweep.pass` event (the `SweepBacklog` metric).
                let r = hoadon_api::lambda::sweep_once(&state, &tenant).await?;
                Ok::<_, lambda_runtime::Error>(serde_json::json!({
                    "signed": r.signed, "failed": r.failed, "pending": r.pending
                }))
            }
        }))
        .await;
    }
    let router = hoadon_api::lambda::api(&env, &sdk).await?;
    // Not `Send`: runs here, on the main task.
    lambda_http::run(router).await
}
