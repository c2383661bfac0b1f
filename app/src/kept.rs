//! Server resources the device keeps for its user: the company profile (the seller block of
//! every invoice) and the tenant's series (what the editor offers). Both are needed to fill in a
//! draft, and a draft can be made offline, so each is read from the user's database first and
//! refreshed from the server whenever the user is signed in and online.

use crate::{Session, api, db};
use hoadon_core::api::{Page, ProfileView, SeriesView};
use leptos::prelude::*;
use serde::Serialize;
use serde::de::DeserializeOwned;

/// One kept resource: `GET path`, stored under `key` in the user's `catalogs` store.
pub struct Kept<T: Send + Sync + 'static> {
    pub value: RwSignal<Option<T>>,
    key: &'static str,
    path: &'static str,
}

impl<T: Send + Sync + 'static> Clone for Kept<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T: Send + Sync + 'static> Copy for Kept<T> {}

impl<T> Kept<T>
where
    T: Clone + Serialize + DeserializeOwned + Send + Sync + 'static,
{
    fn install(
        session: Session,
        online: RwSignal<bool>,
        key: &'static str,
        path: &'static str,
    ) -> Self {
        let k = Kept {
            value: RwSignal::new(None),
            key,
            path,
        };
        // Another user: forget the last one's copy, read this one's, then ask the server.
        Effect::new(move |_| {
            let part = session.partition();
            k.value.set(None);
            let Some(part) = part else { return };
            leptos::task::spawn_local(async move {
                if let Ok(Some(json)) = db::get(&part, db::CATALOGS, key).await
                    && let Ok(v) = serde_json::from_str::<T>(&json)
                    && session.partition_untracked().as_deref() == Some(part.as_str())
                    && k.value.try_with_untracked(Option::is_none) == Some(true)
                {
                    k.value.set(Some(v));
                }
            });
        });
        Effect::new(move |_| {
            if session.partition().is_some() && online.get() {
                leptos::task::spawn_local(k.refresh(session));
            }
        });
        k
    }

    /// Asks the server again (after a change made here, or when the connection returns).
    pub async fn refresh(self, session: Session) {
        if let Ok(v) = api::get::<T>(session, self.path).await {
            self.keep(session, v);
        }
    }

    /// Shows `v` and keeps it on the device for the signed-in user.
    pub fn keep(self, session: Session, v: T) {
        let Some(part) = session.partition_untracked() else {
            return;
        };
        let json = serde_json::to_string(&v).expect("API bodies serialize");
        self.value.set(Some(v));
        let key = self.key;
        leptos::task::spawn_local(async move {
            let _ = db::put(&part, db::CATALOGS, key, &json).await;
        });
    }
}

/// The kept resources, shared through context.
#[derive(Clone, Copy)]
pub struct Device {
    pub profile: Kept<ProfileView>,
    pub series: Kept<Page<SeriesView>>,
}

impl Device {
    pub fn install(session: Session, online: RwSignal<bool>) -> Device {
        let d = Device {
            profile: Kept::install(session, online, "profile", "/api/profile"),
            series: Kept::install(session, online, "series", "/api/series"),
        };
        provide_context(d);
        d
    }
}

pub fn device() -> Device {
    expect_context::<Device>()
}
