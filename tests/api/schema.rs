//! The schema contract: `schema.graphql` is what `pulse schema` prints.

#[test]
fn schema_graphql_matches_pulse_schema_output() {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_pulse"))
        .arg("schema")
        .output()
        .expect("run `pulse schema`");
    assert!(output.status.success());
    let committed = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/schema.graphql"))
        .expect("schema.graphql at the repository root");

    assert!(
        output.stdout == committed.as_bytes(),
        "schema.graphql drifted from the code; regenerate it with `cargo run -- schema > schema.graphql`"
    );
}

#[test]
fn every_schema_type_and_field_is_described() {
    let full = pulse::graphql::sdl();
    let sdl = full.split("schema {").next().expect("SDL text");
    let mut undocumented = Vec::new();
    let mut in_description = false;
    let mut previous = "";
    for line in sdl.lines().map(str::trim) {
        if line == "\"\"\"" {
            in_description = !in_description;
            previous = line;
            continue;
        }
        if in_description || line.is_empty() || line == "}" || line.starts_with('"') {
            previous = line;
            continue;
        }
        // Relay's generated connection, edge and page-info types follow the
        // Relay specification and carry no descriptions of their own.
        let generated = ["Connection {", "Edge {", "PageInfo {"]
            .iter()
            .any(|suffix| line.ends_with(suffix))
            || line.starts_with("type PageInfo");
        let is_definition = line.starts_with("type ")
            || line.starts_with("input ")
            || line.starts_with("enum ")
            || line.starts_with("interface ")
            || (!line.starts_with("directive")
                && !line.starts_with("scalar")
                && line.contains(':'));
        if is_definition && !generated && !previous.ends_with('"') {
            undocumented.push(line.to_owned());
        }
        previous = line;
    }

    assert!(
        undocumented.is_empty(),
        "undocumented schema items: {undocumented:?}"
    );
}
