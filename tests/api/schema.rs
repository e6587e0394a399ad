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
    let undocumented: Vec<&str> = sdl
        .lines()
        .zip(std::iter::once("").chain(sdl.lines()))
        .filter(|(line, previous)| {
            let line = line.trim();
            let previous = previous.trim();
            let is_definition = line.starts_with("type ")
                || (line.contains(':') && !line.starts_with('"') && !line.starts_with("schema"));
            is_definition && !previous.ends_with('"')
        })
        .map(|(line, _)| line)
        .collect();

    assert!(
        undocumented.is_empty(),
        "undocumented schema items: {undocumented:?}"
    );
}
