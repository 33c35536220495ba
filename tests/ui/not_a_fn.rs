use supervisor::prelude::*;

#[supervised(role = "service")]
struct Api;

fn main() {}
