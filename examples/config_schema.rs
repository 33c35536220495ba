//! Prints the JSON Schema of the config overlay (`SpecOverrides`), for an
//! editor to check and complete the file:
//!
//! ```sh
//! cargo run --example config_schema --features schema > supervisor.schema.json
//! ```
//!
//! Editors that read a `$schema` key (VS Code's YAML and JSON support, for
//! one) or a schema association (taplo for TOML) then flag unknown keys and
//! bad values as they are typed.

use std::io::Write;

fn main() -> std::process::ExitCode {
    let schema = schemars::schema_for!(supervisor::SpecOverrides);
    let written = serde_json::to_writer_pretty(std::io::stdout().lock(), &schema)
        .map_err(std::io::Error::from)
        .and_then(|()| writeln!(std::io::stdout()));
    match written {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => {
            std::process::ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("the schema was not written: {error}");
            std::process::ExitCode::FAILURE
        }
    }
}
