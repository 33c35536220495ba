use supervisor::prelude::*;

#[derive(Supervisor)]
enum App {
    Api,
}

fn main() {}
