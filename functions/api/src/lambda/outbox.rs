//! The stack's **outbox consumer function**: the API executable with `HOADON_OUTBOX=1`, fed by
//! the tenant's outbox queue through an SQS event source mapping.
//!
//! Each record is a wake-up `{"tenant":…,"id":…}` ([`crate::sqs::WakeUp`]). The consumer works
//! that one message with [`crate::outbox::attempt`], and when the outbox says it is due again
//! later, sends a new wake-up for then. It answers with **partial batch failures**
//! (`ReportBatchItemFailures` on the mapping): only the records whose attempt failed come back
//! (after the visibility timeout), and after the queue's `maxReceiveCount` they go to the
//! dead-letter queue, whose depth alarms. The others are deleted by Lambda.
//!
//! What is never retried, because redelivery cannot help: a body that is not a wake-up, and a
//! wake-up for another tenant. Both are logged and dropped. The second would mean a
//! misconfigured or tampered queue; this function works for its own tenant only (the same rule
//! as the signer function's), whatever a message says. Dropping loses nothing: the message
//! itself is in the store, and the sweep function's `outbox::pump` finds it.
//!
//! The SQS event types are written here (only the two fields read, and the answer): the
//! `aws_lambda_events` crate that `lambda_http` brings has its SQS module behind a feature that
//! would add `serde_with` and its proc-macro stack to the build for them.

use crate::error::ApiError;
use crate::invoices::Services;
use crate::ports::Wake;
use crate::sqs::WakeUp;
use crate::store::TenantStore;
use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

/// The event Lambda's SQS event source mapping sends (the fields the consumer reads).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct SqsEvent {
    #[serde(rename = "Records", default)]
    pub records: Vec<SqsRecord>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SqsRecord {
    /// What a partial batch failure names.
    pub message_id: String,
    #[serde(default)]
    pub body: Option<String>,
}

/// The answer for `ReportBatchItemFailures`: the records to redeliver (empty: all done).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BatchResponse {
    pub batch_item_failures: Vec<BatchItemFailure>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BatchItemFailure {
    pub item_identifier: String,
}

/// Works one outbox message: [`crate::outbox::attempt`] on AWS, a stand-in in tests (so the
/// batch logic is tested without a store or a tax authority).
#[async_trait]
pub trait Attempt: Send + Sync {
    /// When the message is next due (Unix seconds), or `None` when it needs nothing more.
    async fn attempt(&self, id: &str) -> Result<Option<i64>, ApiError>;
}

/// The real one: the tenant's store and services.
pub struct OutboxAttempt {
    pub services: Services,
    pub store: TenantStore,
}

#[async_trait]
impl Attempt for OutboxAttempt {
    async fn attempt(&self, id: &str) -> Result<Option<i64>, ApiError> {
        crate::outbox::attempt(&self.services, &self.store, id).await
    }
}

/// The consumer of one tenant's outbox queue.
#[derive(Clone)]
pub struct Consumer {
    tenant: String,
    attempt: Arc<dyn Attempt>,
    wake: Arc<dyn Wake>,
    reserves: Reserves,
}

/// Time kept before the invocation's deadline. Running into Lambda's timeout would fail the
/// whole batch (every record redelivered, the ones already done included, and the errors alarm);
/// handing back the records not reached fails only those.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reserves {
    /// No attempt starts with less than this left (an attempt talks to the tax authority).
    pub start: Duration,
    /// An attempt still running this close to the deadline is abandoned (its record handed
    /// back), leaving time to send the answer.
    pub answer: Duration,
}

impl Default for Reserves {
    /// For the stack's 60 s timeout.
    fn default() -> Self {
        Reserves {
            start: Duration::from_secs(15),
            answer: Duration::from_secs(2),
        }
    }
}

/// How one record ended (one per distinct message id in a batch).
#[derive(Debug, Clone, PartialEq, Eq)]
enum Outcome {
    Done,
    /// Redeliver: the attempt, or the wake-up for its next attempt, failed.
    Retry,
}

impl Consumer {
    pub fn new(tenant: &str, attempt: Arc<dyn Attempt>, wake: Arc<dyn Wake>) -> Self {
        Consumer {
            tenant: tenant.to_owned(),
            attempt,
            wake,
            reserves: Reserves::default(),
        }
    }

    pub fn with_reserves(mut self, reserves: Reserves) -> Self {
        self.reserves = reserves;
        self
    }

    /// Works a batch, one record after the other (a batch is small; the mapping's batch size
    /// and the function's timeout are set together in `infra/tenant.yaml`), within the
    /// invocation's `deadline` (see [`Reserves`]). The same message woken twice in one batch is
    /// worked once.
    pub async fn handle(&self, event: SqsEvent, deadline: Option<SystemTime>) -> BatchResponse {
        let left = || deadline.map(|d| d.duration_since(SystemTime::now()).unwrap_or_default());
        let mut outcomes: HashMap<String, Outcome> = HashMap::new();
        let mut failures = Vec::new();
        for record in event.records {
            let Some(wake_up) = self.accept(&record) else {
                continue;
            };
            let outcome = match outcomes.get(&wake_up.id) {
                Some(o) => o.clone(),
                None if left().is_some_and(|l| l < self.reserves.start) => {
                    tracing::warn!(event = "outbox.out_of_time", tenant = %self.tenant, outbox_id = %wake_up.id, "handed back unattempted");
                    Outcome::Retry
                }
                None => {
                    let budget = left().map(|l| l.saturating_sub(self.reserves.answer));
                    let o = self.work(&wake_up.id, budget).await;
                    outcomes.insert(wake_up.id, o.clone());
                    o
                }
            };
            if outcome == Outcome::Retry {
                failures.push(BatchItemFailure {
                    item_identifier: record.message_id,
                });
            }
        }
        BatchResponse {
            batch_item_failures: failures,
        }
    }

    /// The record's wake-up, if it is one for this tenant; otherwise logged, and dropped.
    fn accept(&self, record: &SqsRecord) -> Option<WakeUp> {
        let parsed = record.body.as_deref().map(serde_json::from_str::<WakeUp>);
        let wake_up = match parsed {
            Some(Ok(w)) => w,
            _ => {
                tracing::warn!(
                    event = "outbox.bad_wake_up",
                    tenant = %self.tenant,
                    sqs_message_id = %record.message_id,
                    "not a wake-up: dropped"
                );
                return None;
            }
        };
        if wake_up.tenant != self.tenant {
            tracing::warn!(
                event = "outbox.foreign_tenant",
                tenant = %self.tenant,
                claimed_tenant = %wake_up.tenant,
                sqs_message_id = %record.message_id,
                "a wake-up for another tenant on this tenant's queue: dropped, never worked"
            );
            return None;
        }
        Some(wake_up)
    }

    async fn work(&self, id: &str, budget: Option<Duration>) -> Outcome {
        let attempt = self.attempt.attempt(id);
        let result = match budget {
            None => attempt.await,
            Some(b) => match tokio::time::timeout(b, attempt).await {
                Ok(r) => r,
                Err(_) => {
                    tracing::warn!(event = "outbox.attempt_timed_out", tenant = %self.tenant, outbox_id = %id, "abandoned before the function's deadline");
                    return Outcome::Retry;
                }
            },
        };
        match result {
            Ok(None) => Outcome::Done,
            Ok(Some(next_at)) => match self.wake.wake(&self.tenant, id, next_at).await {
                Ok(()) => Outcome::Done,
                Err(e) => {
                    // Redelivery retries the wake-up (the attempt finds the message not due yet
                    // and answers its due time again); the sweep's pump is the net below that.
                    tracing::warn!(event = "outbox.wake_failed", tenant = %self.tenant, outbox_id = %id, next_at, error = %e);
                    Outcome::Retry
                }
            },
            Err(e) => {
                tracing::warn!(event = "outbox.attempt_failed", tenant = %self.tenant, outbox_id = %id, error = %e);
                Outcome::Retry
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    /// Answers per message id, after an optional pause; records every call.
    #[derive(Default)]
    struct Script {
        answers: HashMap<&'static str, Result<Option<i64>, &'static str>>,
        slow: HashMap<&'static str, Duration>,
        calls: Mutex<Vec<String>>,
    }

    #[async_trait]
    impl Attempt for Script {
        async fn attempt(&self, id: &str) -> Result<Option<i64>, ApiError> {
            self.calls.lock().unwrap().push(id.to_owned());
            if let Some(pause) = self.slow.get(id) {
                tokio::time::sleep(*pause).await;
            }
            match self.answers.get(id) {
                Some(Ok(v)) => Ok(*v),
                Some(Err(e)) => Err(ApiError::BadRequest((*e).to_owned())),
                None => Ok(None),
            }
        }
    }

    #[derive(Default)]
    struct Wakes {
        sent: Mutex<Vec<(String, String, i64)>>,
        fail: bool,
    }

    #[async_trait]
    impl Wake for Wakes {
        async fn wake(&self, tenant: &str, id: &str, at: i64) -> Result<(), String> {
            if self.fail {
                return Err("queue unavailable".into());
            }
            self.sent
                .lock()
                .unwrap()
                .push((tenant.to_owned(), id.to_owned(), at));
            Ok(())
        }
    }

    fn record(message_id: &str, body: &str) -> serde_json::Value {
        serde_json::json!({
            "messageId": message_id,
            "receiptHandle": "AQEB…",
            "body": body,
            "attributes": {"ApproximateReceiveCount": "1", "SentTimestamp": "1795339812000",
                           "SenderId": "AROA…:hoadon-anphat-api", "ApproximateFirstReceiveTimestamp": "1795339812001"},
            "messageAttributes": {},
            "md5OfBody": "0",
            "eventSource": "aws:sqs",
            "eventSourceARN": "arn:aws:sqs:ap-southeast-1:123456789012:hoadon-anphat-outbox",
            "awsRegion": "ap-southeast-1"
        })
    }

    fn event(records: &[serde_json::Value]) -> SqsEvent {
        serde_json::from_value(serde_json::json!({ "Records": records }))
            .expect("an SQS event as Lambda sends it")
    }

    fn wake_up(tenant: &str, id: &str) -> String {
        serde_json::json!({"tenant": tenant, "id": id}).to_string()
    }

    fn consumer(script: Script, wakes: Wakes) -> (Consumer, Arc<Script>, Arc<Wakes>) {
        let (script, wakes) = (Arc::new(script), Arc::new(wakes));
        (
            Consumer::new("anphat", script.clone(), wakes.clone()),
            script,
            wakes,
        )
    }

    #[test]
    fn the_event_and_the_answer_have_lambdas_shapes() {
        let e = event(&[record("m-1", &wake_up("anphat", "o-1"))]);
        assert_eq!(e.records.len(), 1);
        assert_eq!(e.records[0].message_id, "m-1");
        let none: SqsEvent = serde_json::from_str("{}").unwrap();
        assert!(none.records.is_empty());
        let answer = BatchResponse {
            batch_item_failures: vec![BatchItemFailure {
                item_identifier: "m-1".into(),
            }],
        };
        assert_eq!(
            serde_json::to_value(&answer).unwrap(),
            serde_json::json!({"batchItemFailures": [{"itemIdentifier": "m-1"}]})
        );
        assert_eq!(
            serde_json::to_value(BatchResponse::default()).unwrap(),
            serde_json::json!({"batchItemFailures": []})
        );
    }

    #[tokio::test]
    async fn only_failed_attempts_come_back_and_a_later_due_time_wakes_again() {
        let script = Script {
            answers: HashMap::from([
                ("o-done", Ok(None)),
                ("o-later", Ok(Some(1_795_340_000))),
                ("o-broken", Err("store unavailable")),
            ]),
            ..Default::default()
        };
        let (c, script, wakes) = consumer(script, Wakes::default());
        let answer = c
            .handle(
                event(&[
                    record("m-1", &wake_up("anphat", "o-done")),
                    record("m-2", &wake_up("anphat", "o-broken")),
                    record("m-3", &wake_up("anphat", "o-later")),
                ]),
                None,
            )
            .await;
        assert_eq!(
            answer.batch_item_failures,
            [BatchItemFailure {
                item_identifier: "m-2".into()
            }]
        );
        assert_eq!(
            *script.calls.lock().unwrap(),
            ["o-done", "o-broken", "o-later"]
        );
        assert_eq!(
            *wakes.sent.lock().unwrap(),
            [("anphat".to_owned(), "o-later".to_owned(), 1_795_340_000)]
        );
    }

    #[tokio::test]
    async fn another_tenants_wake_up_and_a_malformed_body_are_dropped_never_worked() {
        let (c, script, wakes) = consumer(Script::default(), Wakes::default());
        let mut no_body = record("m-4", "");
        no_body.as_object_mut().unwrap().remove("body");
        let answer = c
            .handle(
                event(&[
                    record("m-1", &wake_up("bravo", "o-1")),
                    record("m-2", "not json"),
                    record("m-3", r#"{"tenant":"anphat"}"#),
                    no_body,
                    record("m-5", &wake_up("anphat", "o-5")),
                ]),
                None,
            )
            .await;
        assert!(answer.batch_item_failures.is_empty(), "{answer:?}");
        assert_eq!(*script.calls.lock().unwrap(), ["o-5"]);
        assert!(wakes.sent.lock().unwrap().is_empty());
    }

    #[tokio::test]
    async fn a_failed_wake_up_redelivers_the_record() {
        let script = Script {
            answers: HashMap::from([("o-later", Ok(Some(1_795_340_000)))]),
            ..Default::default()
        };
        let wakes = Wakes {
            fail: true,
            ..Default::default()
        };
        let (c, _, _) = consumer(script, wakes);
        let answer = c
            .handle(event(&[record("m-1", &wake_up("anphat", "o-later"))]), None)
            .await;
        assert_eq!(answer.batch_item_failures.len(), 1);
        assert_eq!(answer.batch_item_failures[0].item_identifier, "m-1");
    }

    #[tokio::test]
    async fn the_same_message_woken_twice_in_a_batch_is_worked_once() {
        let script = Script {
            answers: HashMap::from([("o-1", Err("tax authority unreachable"))]),
            ..Default::default()
        };
        let (c, script, _) = consumer(script, Wakes::default());
        let answer = c
            .handle(
                event(&[
                    record("m-1", &wake_up("anphat", "o-1")),
                    record("m-2", &wake_up("anphat", "o-1")),
                ]),
                None,
            )
            .await;
        assert_eq!(*script.calls.lock().unwrap(), ["o-1"]);
        // Both records come back: either may be the one SQS still holds.
        let ids: Vec<&str> = answer
            .batch_item_failures
            .iter()
            .map(|f| f.item_identifier.as_str())
            .collect();
        assert_eq!(ids, ["m-1", "m-2"]);
    }

    /// Near the deadline: an attempt that runs into the answer reserve is abandoned, and no
    /// attempt starts within the start reserve; those records are handed back, the finished
    /// one is not.
    #[tokio::test]
    async fn records_not_reached_before_the_deadline_are_handed_back_not_the_batch() {
        let script = Script {
            slow: HashMap::from([
                ("o-slow", Duration::from_millis(400)),
                ("o-stuck", Duration::from_secs(30)),
            ]),
            ..Default::default()
        };
        let (c, script, _) = consumer(script, Wakes::default());
        let c = c.with_reserves(Reserves {
            start: Duration::from_millis(500),
            answer: Duration::from_millis(200),
        });
        let records = [
            record("m-1", &wake_up("anphat", "o-fast")),
            record("m-2", &wake_up("anphat", "o-stuck")),
            record("m-3", &wake_up("anphat", "o-slow")),
        ];
        let started = std::time::Instant::now();
        let deadline = SystemTime::now() + Duration::from_millis(1500);
        let answer = c.handle(event(&records), Some(deadline)).await;
        let ids: Vec<&str> = answer
            .batch_item_failures
            .iter()
            .map(|f| f.item_identifier.as_str())
            .collect();
        // o-stuck is abandoned 200 ms before the deadline; then too little is left for o-slow.
        assert_eq!(ids, ["m-2", "m-3"]);
        assert_eq!(*script.calls.lock().unwrap(), ["o-fast", "o-stuck"]);
        let took = started.elapsed();
        assert!(
            took >= Duration::from_millis(1200) && took < Duration::from_millis(1500),
            "{took:?}"
        );
        // Without a deadline (tests, or a context without one) nothing is cut short.
        let answer = c
            .handle(event(&[record("m-1", &wake_up("anphat", "o-slow"))]), None)
            .await;
        assert!(answer.batch_item_failures.is_empty());
    }

    /// On moto's SQS, the loop the stack runs: the API's wake-up lands on the queue, the event
    /// source mapping hands it to the consumer as Lambda's SQS event, the consumer works the
    /// message and, since the outbox says it is due again, puts the next wake-up on the queue.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_wake_up_goes_through_the_queue_to_the_consumer_which_wakes_again() {
        use crate::emulators::Emulator;
        use crate::ports::{Clock, SystemClock};
        use crate::sqs::SqsWake;

        let moto = Emulator::moto().await;
        let (client, url) = moto.sqs_queue("hoadon-anphat-outbox").await;
        let receive = || async {
            client
                .receive_message()
                .queue_url(&url)
                .max_number_of_messages(10)
                .send()
                .await
                .expect("moto receives")
                .messages()
                .to_vec()
        };
        let now = SystemClock.now();
        let wake = Arc::new(SqsWake::new(
            client.clone(),
            &url,
            "anphat",
            Arc::new(SystemClock),
        ));
        wake.wake("anphat", "o-1", now).await.unwrap();

        // What the mapping delivers, in Lambda's event shape.
        let received = receive().await;
        assert_eq!(received.len(), 1);
        let records: Vec<serde_json::Value> = received
            .iter()
            .map(|m| record(m.message_id().unwrap(), m.body().unwrap()))
            .collect();
        let script = Script {
            // Not finished: due again now (an immediate retry keeps the test short).
            answers: HashMap::from([("o-1", Ok(Some(now)))]),
            ..Default::default()
        };
        let script = Arc::new(script);
        let c = Consumer::new("anphat", script.clone(), wake);
        let answer = c.handle(event(&records), None).await;
        assert!(answer.batch_item_failures.is_empty(), "{answer:?}");
        assert_eq!(*script.calls.lock().unwrap(), ["o-1"]);

        let again = receive().await;
        let bodies: Vec<WakeUp> = again
            .iter()
            .map(|m| serde_json::from_str(m.body().unwrap()).unwrap())
            .collect();
        assert_eq!(
            bodies,
            [WakeUp {
                tenant: "anphat".into(),
                id: "o-1".into()
            }]
        );
    }
}
