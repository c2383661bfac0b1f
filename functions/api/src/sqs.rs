//! The outbox's [`Wake`] on AWS: a wake-up `{"tenant":…,"id":…}` sent to the stack's outbox
//! queue (SQS), delayed until the message is due, and read by the outbox consumer function
//! (`HOADON_OUTBOX=1`, [`crate::lambda::outbox`]).
//!
//! The queue carries only wake-ups, never the message itself: the store is the source of truth
//! (a message is persisted before its first attempt), so a lost or duplicated wake-up delays a
//! message or costs one extra look at it, nothing more. That is also why a wake-up for a time
//! further than SQS's 15-minute maximum delay is simply sent with 15 minutes: the consumer
//! looks, finds the message not yet due, and the outbox answers with its due time, which wakes
//! again (a hop every 15 minutes until then).

use crate::ports::{Clock, Wake, error_chain};
use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// SQS's largest `DelaySeconds` (15 minutes).
pub const MAX_DELAY_SECONDS: i64 = 900;

/// The body of a wake-up message: whose message, which one. Nothing else (no payload, no
/// secret): whoever reads the queue learns only that a message exists. Unknown fields are
/// ignored, so a later producer may add one without its wake-ups being dropped by an older
/// consumer during a deploy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WakeUp {
    pub tenant: String,
    pub id: String,
}

/// The `DelaySeconds` for a message due at `at` when it is `now`: never negative (a due or
/// overdue message is sent at once), never past SQS's maximum (see the module comment).
pub fn delay_seconds(at: i64, now: i64) -> i32 {
    at.saturating_sub(now).clamp(0, MAX_DELAY_SECONDS) as i32
}

/// Sends wake-ups to one tenant's outbox queue.
pub struct SqsWake {
    client: aws_sdk_sqs::Client,
    queue_url: String,
    /// The stack's tenant: a wake-up for another tenant is refused here already (the queue is
    /// this tenant's; its consumer would drop it anyway).
    tenant: String,
    clock: Arc<dyn Clock>,
}

impl SqsWake {
    pub fn new(
        client: aws_sdk_sqs::Client,
        queue_url: &str,
        tenant: &str,
        clock: Arc<dyn Clock>,
    ) -> Self {
        SqsWake {
            client,
            queue_url: queue_url.to_owned(),
            tenant: tenant.to_owned(),
            clock,
        }
    }

    pub fn queue_url(&self) -> &str {
        &self.queue_url
    }
}

#[async_trait]
impl Wake for SqsWake {
    async fn wake(&self, tenant: &str, id: &str, at: i64) -> Result<(), String> {
        if tenant != self.tenant {
            return Err(format!(
                "outbox queue of tenant {:?}: refusing a wake-up for tenant {tenant:?}",
                self.tenant
            ));
        }
        let body = serde_json::to_string(&WakeUp {
            tenant: tenant.to_owned(),
            id: id.to_owned(),
        })
        .map_err(|e| e.to_string())?;
        self.client
            .send_message()
            .queue_url(&self.queue_url)
            .message_body(body)
            .delay_seconds(delay_seconds(at, self.clock.now()))
            .send()
            .await
            .map_err(|e| format!("SQS SendMessage: {}", error_chain(&e)))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emulators::Emulator;
    use crate::ports::SystemClock;
    use std::time::{Duration, Instant};

    #[test]
    fn the_delay_is_never_negative_and_never_past_fifteen_minutes() {
        let now = 1_800_000_000;
        assert_eq!(delay_seconds(now - 60, now), 0);
        assert_eq!(delay_seconds(now, now), 0);
        assert_eq!(delay_seconds(now + 42, now), 42);
        assert_eq!(delay_seconds(now + 900, now), 900);
        assert_eq!(delay_seconds(now + 901, now), 900);
        assert_eq!(delay_seconds(i64::MAX, i64::MIN), 900);
        assert_eq!(delay_seconds(i64::MIN, i64::MAX), 0);
    }

    #[test]
    fn a_wake_up_body_is_tenant_and_id_only() {
        let w = WakeUp {
            tenant: "anphat".into(),
            id: "m-1".into(),
        };
        assert_eq!(
            serde_json::to_string(&w).unwrap(),
            r#"{"tenant":"anphat","id":"m-1"}"#
        );
        let later: WakeUp = serde_json::from_str(r#"{"tenant":"a","id":"b","at":1}"#).unwrap();
        assert_eq!((later.tenant.as_str(), later.id.as_str()), ("a", "b"));
        assert!(serde_json::from_str::<WakeUp>(r#"{"tenant":"a"}"#).is_err());
    }

    async fn receive(client: &aws_sdk_sqs::Client, url: &str) -> Vec<aws_sdk_sqs::types::Message> {
        client
            .receive_message()
            .queue_url(url)
            .max_number_of_messages(10)
            .send()
            .await
            .expect("moto receives")
            .messages()
            .to_vec()
    }

    /// On moto's SQS: a wake-up due now arrives at once with its body; one due in 2 s stays
    /// invisible until then; one for another tenant is never sent.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_wake_arrives_on_the_queue_with_its_delay_and_body() {
        let moto = Emulator::moto().await;
        let (client, url) = moto.sqs_queue("hoadon-anphat-outbox").await;
        let clock = Arc::new(SystemClock);
        let wake = SqsWake::new(client.clone(), &url, "anphat", clock.clone());
        assert_eq!(wake.queue_url(), url);

        wake.wake("anphat", "m-now", clock.now() - 5).await.unwrap();
        let got = receive(&client, &url).await;
        assert_eq!(got.len(), 1, "{got:?}");
        let body: WakeUp = serde_json::from_str(got[0].body().unwrap()).unwrap();
        assert_eq!(
            body,
            WakeUp {
                tenant: "anphat".into(),
                id: "m-now".into()
            }
        );

        let e = wake.wake("bravo", "m-x", clock.now()).await.unwrap_err();
        assert!(e.contains("bravo"), "{e}");

        let sent = Instant::now();
        wake.wake("anphat", "m-later", clock.now() + 2)
            .await
            .unwrap();
        assert!(
            receive(&client, &url).await.is_empty(),
            "a delayed wake-up is invisible before it is due"
        );
        let mut later = Vec::new();
        while later.is_empty() && sent.elapsed() < Duration::from_secs(15) {
            tokio::time::sleep(Duration::from_millis(250)).await;
            later = receive(&client, &url).await;
        }
        assert!(sent.elapsed() >= Duration::from_millis(1500), "too early");
        let ids: Vec<String> = later
            .iter()
            .map(|m| {
                serde_json::from_str::<WakeUp>(m.body().unwrap())
                    .unwrap()
                    .id
            })
            .collect();
        assert_eq!(
            ids,
            ["m-later"],
            "the other tenant's wake-up was never sent"
        );
    }
}
