//! The API function of a tenant's stack (`bootstrap` on `provided.al2023`): hoadon's Router
//! behind API Gateway (HTTP API) or a Function URL. Settings: see `hoadon_api::lambda::ApiEnv`.
//!
//! The same executable (one executable, one set of adapters, no second build to keep in step)
//! is also
//! - the stack's **sweep function** when `HOADON_SWEEP=1`: invoked by an EventBridge schedule,
//!   each event runs one recovery sweep and one outbox pump (the net under the queue);
//! - the stack's **outbox consumer** when `HOADON_OUTBOX=1`: invoked by the SQS event source
//!   mapping of the tenant's outbox queue, each record is a wake-up for one outbox message; the
//!   answer lists the records to redeliver (`ReportBatchItemFailures`).

use hoadon_api::lambda::outbox::SqsEvent;
use lambda_http::lambda_runtime::{self, LambdaEvent, service_fn};

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    hoadon_api::telemetry::init(hoadon_api::telemetry::Format::Json);
    let env = hoadon_api::lambda::ApiEnv::from_env()?;
    let sdk = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
    if std::env::var("HOADON_OUTBOX").as_deref() == Ok("1") {
        let consumer = hoadon_api::lambda::outbox_consumer(&env, &sdk).await?;
        return lambda_runtime::run(service_fn(move |event: LambdaEvent<SqsEvent>| {
            let consumer = consumer.clone();
            let deadline = Some(event.context.deadline());
            async move {
                Ok::<_, lambda_runtime::Error>(consumer.handle(event.payload, deadline).await)
            }
        }))
        .await;
    }
    if std::env::var("HOADON_SWEEP").as_deref() == Ok("1") {
        let (state, _) = hoadon_api::lambda::app_state(&env, &sdk).await?;
        let tenant = env.tenant.clone();
        return lambda_runtime::run(service_fn(move |_: LambdaEvent<serde_json::Value>| {
            let (state, tenant) = (state.clone(), tenant.clone());
            async move {
                // The sweep logs its `sweep.pass` event (the `SweepBacklog` metric), the pump
                // its `outbox.pump` event.
                let r = hoadon_api::lambda::sweep_and_pump(&state, &tenant).await?;
                Ok::<_, lambda_runtime::Error>(r)
            }
        }))
        .await;
    }
    let router = hoadon_api::lambda::api(&env, &sdk).await?;
    // Not `Send`: runs here, on the main task.
    lambda_http::run(router).await
}
