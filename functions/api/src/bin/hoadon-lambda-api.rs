//! The API function of a tenant's stack (`bootstrap` on `provided.al2023`): hoadon's Router
//! behind API Gateway (HTTP API) or a Function URL. Settings: see `hoadon_api::lambda::ApiEnv`.
//!
//! The same executable (one executable, one set of adapters, no second build to keep in step)
//! is also
//! - the stack's **sweep function** when `HOADON_SWEEP=1`: invoked by an EventBridge schedule,
//!   each event runs one recovery sweep and one outbox pump (the net under the queue);
//! - the stack's **outbox consumer** when `HOADON_OUTBOX=1`: invoked by the SQS event source
//!   mapping of the tenant's outbox queue, each record is a wake-up for one outbox message; the
//!   answer lists the records to redeliver (`ReportBatchItemFailures`);
//! - the HTTP API's **authorizer** when `HOADON_AUTHORIZER=1`: each event is a request's bearer
//!   token, allowed when it is a pool token or a personal access token of the tenant. Its
//!   settings are fewer (`hoadon_api::lambda::authorizer`), so it is chosen first.

use hoadon_api::gateway_auth::AuthorizerEvent;
use hoadon_api::lambda::authorizer::Authorizer;
use hoadon_api::lambda::outbox::SqsEvent;
use lambda_http::lambda_runtime::{self, LambdaEvent, service_fn};
use std::sync::Arc;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    hoadon_api::telemetry::init(hoadon_api::telemetry::Format::Json);
    let sdk = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
    if std::env::var("HOADON_AUTHORIZER").as_deref() == Ok("1") {
        let get = |k: &str| std::env::var(k).ok();
        let authorizer = Arc::new(Authorizer::new(get, &sdk)?);
        return lambda_runtime::run(service_fn(move |event: LambdaEvent<AuthorizerEvent>| {
            let authorizer = authorizer.clone();
            async move { Ok::<_, lambda_runtime::Error>(authorizer.handle(event.payload).await) }
        }))
        .await;
    }
    let env = hoadon_api::lambda::ApiEnv::from_env()?;
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
