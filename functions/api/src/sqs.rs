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
    /// The tenant's orders queue (SQS FIFO, #19): automatic invoicing of an order goes there,
    /// grouped by series, so that one consumer at a time numbers a series (many Lambda
    /// instances issuing on one series would contend on its item).
    orders_queue_url: Option<String>,
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
            orders_queue_url: None,
        }
    }

    /// Sends orders' wake-ups to this FIFO queue, grouped by series.
    pub fn with_orders_queue(mut self, url: &str) -> Self {
        self.orders_queue_url = Some(url.to_owned());
        self
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
        if let (Some(fifo), Some(rest)) = (
            &self.orders_queue_url,
            id.strip_prefix(crate::orders::ORDER_WAKE),
        ) {
            // One group per series: SQS hands a group's messages to one consumer at a time, in
            // order. Deduplicated by the wake-up itself (a retry within 5 minutes is one).
            let series = rest.split_once(':').map_or(rest, |(s, _)| s);
            let dedup = crate::ports::sha256_hex(id.as_bytes());
            self.client
                .send_message()
                .queue_url(fifo)
                .message_body(body)
                .message_group_id(format!("{tenant}#{series}"))
                .message_deduplication_id(dedup)
                .send()
                .await
                .map_err(|e| format!("SQS SendMessage (orders): {}", error_chain(&e)))?;
            return Ok(());
        }
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

    /// An order's wake-up goes to the FIFO queue in its series' group (one consumer at a time
    /// numbers a series), deduplicated by its id; every other wake-up to the outbox queue.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn an_orders_wake_up_goes_to_the_fifo_queue_grouped_by_series() {
        let moto = Emulator::moto().await;
        let (client, url) = moto.sqs_queue("hoadon-anphat-outbox").await;
        let (_, fifo) = moto.sqs_queue("hoadon-anphat-orders.fifo").await;
        let clock = Arc::new(SystemClock);
        let wake =
            SqsWake::new(client.clone(), &url, "anphat", clock.clone()).with_orders_queue(&fifo);
        for id in [
            "@order:1K26TSO:SO-1",
            "@order:1K26TSO:SO-1",
            "@order:1C26TAA:SO:2",
            "m-1",
        ] {
            wake.wake("anphat", id, clock.now()).await.unwrap();
        }
        let got = client
            .receive_message()
            .queue_url(&fifo)
            .max_number_of_messages(10)
            .message_system_attribute_names(
                aws_sdk_sqs::types::MessageSystemAttributeName::MessageGroupId,
            )
            .send()
            .await
            .unwrap()
            .messages()
            .to_vec();
        let mut seen: Vec<(String, String)> = got
            .iter()
            .map(|m| {
                let body: WakeUp = serde_json::from_str(m.body().unwrap()).unwrap();
                let group = m
                    .attributes()
                    .and_then(|a| {
                        a.get(&aws_sdk_sqs::types::MessageSystemAttributeName::MessageGroupId)
                    })
                    .cloned()
                    .unwrap_or_default();
                (group, body.id)
            })
            .collect();
        seen.sort();
        assert_eq!(
            seen,
            [
                (
                    "anphat#1C26TAA".to_owned(),
                    "@order:1C26TAA:SO:2".to_owned()
                ),
                (
                    "anphat#1K26TSO".to_owned(),
                    "@order:1K26TSO:SO-1".to_owned()
                ),
            ],
            "grouped by series, the repeated one deduplicated"
        );
        let outbox: Vec<String> = receive(&client, &url)
            .await
            .iter()
            .map(|m| {
                serde_json::from_str::<WakeUp>(m.body().unwrap())
                    .unwrap()
                    .id
            })
            .collect();
        assert_eq!(outbox, ["m-1"]);
    }
}
