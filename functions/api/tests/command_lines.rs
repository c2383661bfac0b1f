//! The backend's command lines as users call them: misspelt flags refused with a suggestion,
//! help that explains, shell completions.

use std::process::{Command, Output};

fn run(bin: &str, args: &[&str]) -> Output {
    Command::new(bin)
        .args(args)
        .env_remove("HOADON_LOAD_PASSWORD")
        .output()
        .unwrap()
}

const SERVER: &str = env!("CARGO_BIN_EXE_hoadon-server");
const LOAD: &str = env!("CARGO_BIN_EXE_hoadon-load");

#[test]
fn misspelt_flags_exit_2_with_a_suggestion() {
    for (bin, args, suggestion) in [
        (SERVER, &["--prot", "8080"][..], "'--port'"),
        (
            SERVER,
            &["add-user", "a@b.vn", "--rol", "admin"][..],
            "'--role'",
        ),
        (
            LOAD,
            &["--client", "8", "--password", "x"][..],
            "'--clients'",
        ),
    ] {
        let o = run(bin, args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(
            err.contains("a similar argument exists") && err.contains(suggestion),
            "{args:?}: {err}"
        );
    }
    // hoadon-load needs a password (flag or HOADON_LOAD_PASSWORD) and numbers in --clients.
    assert_eq!(run(LOAD, &[]).status.code(), Some(2));
    assert_eq!(
        run(LOAD, &["--password", "x", "--clients", "1,eight"])
            .status
            .code(),
        Some(2)
    );
}

#[test]
fn help_explains_and_completions_are_printed() {
    let help = String::from_utf8(run(SERVER, &["--help"]).stdout).unwrap();
    for word in [
        "reset-password",
        "add-user",
        "completions",
        "[env: HOADON_PORT=",
    ] {
        assert!(help.contains(word), "{word}:\n{help}");
    }
    let help = String::from_utf8(run(LOAD, &["--help"]).stdout).unwrap();
    for word in ["--clients", "[env: HOADON_LOAD_PASSWORD]", "gapless"] {
        assert!(help.contains(word), "{word}:\n{help}");
    }
    let o = run(SERVER, &["completions", "zsh"]);
    assert!(o.status.success());
    let script = String::from_utf8(o.stdout).unwrap();
    assert!(script.contains("#compdef hoadon-server") && script.contains("reset-password"));
}
