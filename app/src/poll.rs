//! Answers that arrive later (the tax authority replies minutes after a message is sent): a
//! screen asks again on a timer while it is open, and stops when it is left.

use leptos::prelude::*;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// Calls `tick` every `every` while the calling component lives (its owner's cleanup stops
/// it). `tick` decides whether there is anything to ask (e.g. only while an answer is owed).
pub fn while_open(every: Duration, tick: impl Fn() + Send + Sync + 'static) {
    let alive = Arc::new(AtomicBool::new(true));
    let stop = alive.clone();
    on_cleanup(move || stop.store(false, Ordering::Relaxed));
    arm(alive, Arc::new(tick), every);
}

fn arm(alive: Arc<AtomicBool>, tick: Arc<dyn Fn() + Send + Sync>, every: Duration) {
    set_timeout(
        move || {
            if alive.load(Ordering::Relaxed) {
                tick();
                arm(alive, tick, every);
            }
        },
        every,
    );
}
