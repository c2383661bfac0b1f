//! A text input that suggests catalog entries as the user types (ARIA combobox with a listbox):
//! arrow keys move, Enter or a tap picks, Escape closes. Typing free text is always allowed: a
//! buyer or an item need not be in a catalog.

use crate::catalogs::cache;
use leptos::prelude::*;
use serde_json::Value;

/// How many suggestions are shown.
const SUGGESTIONS: usize = 8;

fn option_text(kind: &str, e: &Value) -> String {
    let s = |f: &str| e[f].as_str().unwrap_or("").to_owned();
    match kind {
        "customers" => format!("{} · {} ({})", s("name"), s("tax_id"), s("code")),
        _ => format!(
            "{} · {} · {} ({})",
            s("name"),
            s("unit"),
            s("unit_price"),
            s("code")
        ),
    }
}

#[component]
pub fn TypeAhead(
    /// The input's id (its label points at it).
    id: String,
    /// `customers` or `products`.
    kind: &'static str,
    initial: String,
    /// Ids of the elements describing the input (findings).
    described_by: String,
    invalid: Signal<bool>,
    on_input: impl Fn(String) + Copy + Send + Sync + 'static,
    on_pick: impl Fn(Value) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let query = RwSignal::new(String::new());
    let catalogs = cache();
    let open = RwSignal::new(false);
    let active = RwSignal::new(0usize);
    let options = Memo::new(move |_| {
        if open.get() {
            query.with(|q| catalogs.search(kind, q, SUGGESTIONS))
        } else {
            Vec::new()
        }
    });
    let list_id = format!("{id}-options");
    let option_id = {
        let id = id.clone();
        move |i: usize| format!("{id}-option-{i}")
    };
    let pick = move |i: usize| {
        if let Some(e) = options.with_untracked(|o| o.get(i).cloned()) {
            open.set(false);
            on_pick(e);
        }
    };
    let keydown = move |ev: leptos::ev::KeyboardEvent| {
        let n = options.with_untracked(Vec::len);
        match ev.key().as_str() {
            "ArrowDown" if n > 0 => {
                ev.prevent_default();
                open.set(true);
                active.update(|a| *a = (*a + 1) % n);
            }
            "ArrowUp" if n > 0 => {
                ev.prevent_default();
                active.update(|a| *a = (*a + n - 1) % n);
            }
            "Enter" if open.get_untracked() && n > 0 => {
                ev.prevent_default();
                pick(active.get_untracked());
            }
            "Escape" => open.set(false),
            _ => {}
        }
    };
    let active_id = {
        let option_id = option_id.clone();
        move || (open.get() && !options.with(Vec::is_empty)).then(|| option_id(active.get()))
    };
    view! {
        <div class="combo">
            <input id=id role="combobox" autocomplete="off" aria-autocomplete="list"
                aria-controls=list_id.clone()
                aria-expanded=move || (open.get() && !options.with(Vec::is_empty)).to_string()
                aria-activedescendant=active_id
                aria-describedby=described_by
                aria-invalid=move || invalid.get().to_string()
                value=initial
                on:input=move |ev| {
                    let v = event_target_value(&ev);
                    query.set(v.clone());
                    active.set(0);
                    open.set(true);
                    on_input(v);
                }
                on:keydown=keydown
                on:blur=move |_| {
                    // Let a tap on an option land before the list goes.
                    set_timeout(move || open.set(false), std::time::Duration::from_millis(200));
                } />
            <ul id=list_id role="listbox" class="options" hidden=move || options.with(Vec::is_empty)>
                {move || options.get().into_iter().enumerate().map(|(i, e)| {
                    let text = option_text(kind, &e);
                    view! {
                        <li role="option" id=option_id(i)
                            aria-selected=move || (active.get() == i).to_string()
                            on:mousedown=move |ev| { ev.prevent_default(); pick(i) }>
                            {text}
                        </li>
                    }
                }).collect_view()}
            </ul>
        </div>
    }
}
