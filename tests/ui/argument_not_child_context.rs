use supervisor::prelude::*;

#[supervised]
async fn api(port: u16) {
    let _ = port;
}

fn main() {}
