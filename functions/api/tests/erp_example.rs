//! The example ERP client (`functions/examples/erp_client.py`, what an integrator copies) runs
//! its whole loop against the real server: token, webhook endpoint, order, invoice (twice),
//! the webhook's signature verified, the PDF and XML downloaded.

mod server;

use server::{free_port, start};

#[test]
fn the_example_erp_client_completes_its_loop() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let server = start(dir.path(), port, &[]);
    let password = server.password.clone().expect("first start prints it");
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/erp_client.py");
    let out = std::process::Command::new("python3")
        .args([
            script,
            "--base",
            &format!("http://127.0.0.1:{port}"),
            "--email",
            "admin@demo.local",
            "--password",
            &password,
            "--out",
            dir.path().join("docs").to_str().unwrap(),
            "--registered-elsewhere",
        ])
        .output()
        .expect("python3 runs");
    let (stdout, stderr) = server.stop();
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{said}\n{}\nserver: {stdout}\n{stderr}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(said.contains("webhook invoice.signed verified"), "{said}");
    assert!(said.trim_end().ends_with("ok"), "{said}");
    let docs: Vec<_> = std::fs::read_dir(dir.path().join("docs"))
        .unwrap()
        .collect();
    assert_eq!(docs.len(), 2, "the PDF and the XML");
}
