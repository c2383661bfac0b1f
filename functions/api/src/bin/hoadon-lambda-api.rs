//! The API function of a tenant's stack (`bootstrap` on `provided.al2023`): hoadon's Router
//! behind API Gateway (HTTP API) or a Function URL. Settings: see `hoadon_api::lambda::ApiEnv`.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    let env = hoadon_api::lambda::ApiEnv::from_env()?;
    let sdk = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
    let router = hoadon_api::lambda::api(&env, &sdk).await?;
    // Not `Send`: runs here, on the main task.
    lambda_http::run(router).await
}
