use std::{sync::Arc, time::SystemTime};

use super::{
    AdminConfig, AdminError,
    auth::{Token, constant_time_eq},
    config::parse_addr,
    hub::{EventHub, Resume},
};
use crate::event::{EventKind, SupervisorEvent};

fn event(seq: u64) -> SupervisorEvent {
    SupervisorEvent {
        seq,
        path: Arc::from("app/api"),
        generation: 1,
        elapsed: std::time::Duration::ZERO,
        timestamp: SystemTime::UNIX_EPOCH,
        kind: EventKind::Started,
    }
}

#[test]
fn tokens_match_only_when_equal_in_length_and_every_byte() {
    assert!(constant_time_eq(b"s3cret", b"s3cret"));
    assert!(!constant_time_eq(b"s3cret", b"s3cres"));
    assert!(!constant_time_eq(b"s3cret", b"s3cre"));
    assert!(!constant_time_eq(b"s3cret", b"s3crett"));
    assert!(!constant_time_eq(b"s3cret", b""));
    // A presented prefix padded with what a missing byte compares to.
    assert!(!constant_time_eq(b"ab", b"a"));
}

#[test]
fn a_token_admits_only_its_bearer_header() {
    use axum::http::{HeaderMap, HeaderValue, header::AUTHORIZATION};
    let token = Token::new("s3cret".into()).unwrap();
    let with = |value: &'static str| {
        let mut headers = HeaderMap::new();
        headers.insert(AUTHORIZATION, HeaderValue::from_static(value));
        headers
    };
    assert!(token.admits(&with("Bearer s3cret")));
    assert!(!token.admits(&with("Bearer s3cre")));
    assert!(!token.admits(&with("Basic s3cret")));
    assert!(!token.admits(&with("s3cret")));
    assert!(!token.admits(&HeaderMap::new()));
    assert!(Token::new(String::new()).is_none());
}

#[test]
fn addresses_without_a_host_mean_loopback() {
    let loopback = |port| AdminConfig::loopback(port).addr();
    assert_eq!(parse_addr("9090").unwrap(), loopback(9090));
    assert_eq!(parse_addr(":9090").unwrap(), loopback(9090));
    assert_eq!(parse_addr("localhost:9090").unwrap(), loopback(9090));
    assert_eq!(
        parse_addr("0.0.0.0:9090").unwrap().to_string(),
        "0.0.0.0:9090"
    );
    assert_eq!(parse_addr("[::1]:9090").unwrap().to_string(), "[::1]:9090");
    for bad in [
        "nine",
        "127.0.0.1",
        "example.com:80",
        "70000",
        "127.0.0.1:x",
    ] {
        assert_eq!(
            parse_addr(bad),
            Err(AdminError::InvalidAddress {
                value: bad.to_owned()
            }),
            "{bad}"
        );
    }
}

#[test]
fn the_config_never_shows_its_token() {
    let config = AdminConfig::loopback(0).token("s3cret");
    let printed = format!("{config:?}");
    assert!(!printed.contains("s3cret"), "{printed}");
    assert!(printed.contains("<redacted>"), "{printed}");
}

#[test]
fn the_hub_holds_at_most_its_buffer_and_lag_whatever_its_readers_do() {
    let hub = EventHub::new(8, 4);
    let never_read = hub.subscribe(Resume::Now);
    for seq in 0..10_000 {
        hub.push(&event(seq));
    }
    assert_eq!(hub.held(), (8, 4));
    drop(never_read);
}

#[test]
fn a_resuming_client_gets_the_buffered_events_after_its_last_one() {
    let hub = EventHub::new(8, 4);
    for seq in 0..5 {
        hub.push(&event(seq));
    }
    let resumed = hub.subscribe(Resume::After(2));
    let seqs: Vec<u64> = resumed.replay.iter().map(|frame| frame.seq).collect();
    assert_eq!((seqs, resumed.missed), (vec![3, 4], 0));
    assert!(hub.subscribe(Resume::Now).replay.is_empty());
    assert!(hub.subscribe(Resume::After(4)).replay.is_empty());
    let everything = hub.subscribe(Resume::Buffered);
    assert_eq!((everything.replay.len(), everything.missed), (5, 0));
}

#[test]
fn a_client_resuming_from_before_the_buffer_is_told_how_many_are_gone() {
    let hub = EventHub::new(8, 4);
    for seq in 0..20 {
        hub.push(&event(seq));
    }
    let resumed = hub.subscribe(Resume::After(3));
    assert_eq!(resumed.replay.front().map(|frame| frame.seq), Some(12));
    assert_eq!(resumed.missed, 8, "events 4 to 11 are gone");
}
