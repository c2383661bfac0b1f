//! `hoadon-app-bindgen IN.wasm OUT_DIR NAME`: what `wasm-bindgen --target web --out-name NAME`
//! does, from the crate pinned to the app's wasm-bindgen version (no binary download).

fn main() -> Result<(), String> {
    let args: Vec<String> = std::env::args().collect();
    let [_, input, out_dir, name] = args.as_slice() else {
        return Err("usage: hoadon-app-bindgen IN.wasm OUT_DIR NAME".into());
    };
    let mut b = wasm_bindgen_cli_support::Bindgen::new();
    b.input_path(input)
        .web(true)
        .map_err(|e| e.to_string())?
        .out_name(name)
        .omit_default_module_path(false)
        .typescript(false)
        .generate(out_dir)
        .map_err(|e| format!("wasm-bindgen: {e:#}"))
}
