use supervisor::prelude::*;

#[supervised(restart = "temporary", backoff(initial = "1s"))]
async fn warm_cache() {}

fn main() {}
