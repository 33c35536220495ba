//! Specs as data: round trips, humantime durations, and errors that name the
//! path of the offending field.

use std::time::Duration;

use supervisor_core::{
    BackoffPolicy, ChildSpec, RestartLimit, RestartPolicy, Severity, ShutdownPolicy, Strategy,
    SupervisorSpec, TaskRole,
};

fn sample() -> SupervisorSpec {
    SupervisorSpec::new("app")
        .strategy(Strategy::RestForOne)
        .child(ChildSpec::declared("migrate", TaskRole::Job))
        .child(ChildSpec::declared("report", TaskRole::Job).every(Duration::from_secs(300)))
        .child(
            ChildSpec::declared("api", TaskRole::Service)
                .shutdown(ShutdownPolicy::Timeout(Duration::from_secs(5)))
                .heartbeat(Duration::from_secs(10))
                .backoff(BackoffPolicy::DEFAULT.initial(Duration::from_millis(100))),
        )
        .child(
            ChildSpec::declared("metrics", TaskRole::Sidecar)
                .primary("api")
                .severity(Severity::Optional),
        )
        .child(ChildSpec::supervisor(
            SupervisorSpec::new("ingest")
                .strategy(Strategy::OneForAll)
                .child(
                    ChildSpec::declared("parser", TaskRole::Worker)
                        .restart(RestartPolicy::Permanent)
                        .restart_limit(RestartLimit::new(5, Duration::from_secs(30))),
                ),
        ))
}

#[test]
fn json_round_trip_keeps_every_field() {
    let json = serde_json::to_string_pretty(&sample()).unwrap();
    let back = SupervisorSpec::from_json_str(&json).unwrap();
    assert_eq!(serde_json::to_string_pretty(&back).unwrap(), json);
}

#[test]
fn toml_round_trip_keeps_every_field() {
    let text = toml::to_string(&sample()).unwrap();
    let back = SupervisorSpec::from_toml_str(&text).unwrap();
    assert_eq!(toml::to_string(&back).unwrap(), text);
}

#[test]
fn durations_serialize_as_humantime_text() {
    let json = serde_json::to_value(sample()).unwrap();
    assert_eq!(json["children"][1]["every"], "5m");
    let api = &json["children"][2];
    assert_eq!(api["heartbeat"], "10s");
    assert_eq!(api["shutdown"], "5s");
    assert_eq!(api["backoff"]["initial"], "100ms");
    assert_eq!(json["restart_limit"]["within"], "1m");
}

#[test]
fn unset_overrides_are_left_out() {
    let json = serde_json::to_value(sample()).unwrap();
    let migrate = json["children"][0].as_object().unwrap();
    let keys: Vec<_> = migrate.keys().map(String::as_str).collect();
    assert_eq!(keys, ["id", "role"]);
}

fn json_error(text: &str) -> (String, String) {
    let error = SupervisorSpec::from_json_str(text).unwrap_err();
    (error.path().to_owned(), error.to_string())
}

const THREE_CHILDREN: &str = r#"{ "id": "app", "children": [
    { "id": "a" }, { "id": "b" }, { "id": "c", "backoff": { "initial": BAD } } ] }"#;

#[test]
fn a_bad_duration_names_its_path() {
    let (path, message) = json_error(&THREE_CHILDREN.replace("BAD", "\"50\""));
    assert_eq!(path, "children[2].backoff.initial");
    assert!(message.contains("invalid duration `50`"), "{message}");
}

#[test]
fn an_unknown_field_names_its_path() {
    let (path, message) =
        json_error(&THREE_CHILDREN.replace("\"initial\": BAD", "\"intial\": \"1s\""));
    assert_eq!(path, "children[2].backoff.intial");
    assert!(message.contains("unknown field `intial`"), "{message}");
}

#[test]
fn a_bad_enum_value_names_its_path() {
    let (path, message) = json_error(r#"{ "children": [ { "id": "a", "restart": "always" } ] }"#);
    assert_eq!(path, "children[0].restart");
    assert!(message.contains("unknown variant `always`"), "{message}");
}

#[test]
fn a_bad_shutdown_names_its_path_and_the_accepted_forms() {
    let (path, message) = json_error(r#"{ "children": [ { "id": "a", "shutdown": "soon" } ] }"#);
    assert_eq!(path, "children[0].shutdown");
    assert!(message.contains("\"brutal\", \"infinity\""), "{message}");
}

#[test]
fn an_error_inside_a_nested_tree_names_the_whole_path() {
    let text = r#"{ "children": [ { "id": "ingest", "role": "supervisor",
        "tree": { "children": [ { "id": "p", "heartbeat": "often" } ] } } ] }"#;
    let (path, _) = json_error(text);
    assert_eq!(path, "children[0].tree.children[0].heartbeat");
}

#[test]
fn toml_errors_name_the_path_too() {
    let text =
        "id = \"app\"\n[[children]]\nid = \"a\"\n[[children]]\nid = \"b\"\nrole = \"sevrice\"\n";
    let error = SupervisorSpec::from_toml_str(text).unwrap_err();
    assert_eq!(error.path(), "children[1].role");
    let text =
        "[[children]]\nid = \"a\"\nrestart_limit = { max = 3, within = \"1 minute and a bit\" }\n";
    let error = SupervisorSpec::from_toml_str(text).unwrap_err();
    assert_eq!(error.path(), "children[0].restart_limit.within");
}

#[test]
fn trailing_garbage_after_the_json_document_is_an_error() {
    let (path, _) = json_error(r#"{ "id": "app" } x"#);
    assert_eq!(path, ".");
}

#[test]
fn a_loaded_spec_gets_its_tasks_then_validates() {
    let mut app =
        SupervisorSpec::from_json_str(r#"{ "id": "app", "children": [ { "id": "api" } ] }"#)
            .unwrap();
    let error = app.validate().unwrap_err();
    assert_eq!(error.violations()[0].rule.name, "no_task");
    let api = app.find_child_mut("api").unwrap();
    *api = api.clone().task(|ctx| async move { ctx.cancelled().await });
    app.validate().unwrap();
}

#[test]
fn the_json_schema_describes_durations_as_strings() {
    let schema = schemars::schema_for!(SupervisorSpec);
    let json = serde_json::to_value(&schema).unwrap();
    let text = json.to_string();
    assert!(text.contains("\"children\""), "{text}");
    let limit = &json["$defs"]["RestartLimit"]["properties"]["within"]["type"];
    assert_eq!(limit, "string");
    let child = &json["$defs"]["ChildSpec"]["properties"];
    assert!(child.get("task").is_none(), "the task is not data");
}
