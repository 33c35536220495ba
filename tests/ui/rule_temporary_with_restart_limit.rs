use supervisor::prelude::*;

#[supervised(restart = "temporary", restart_limit(max = 3, within = "1m"))]
async fn warm_cache() {}

fn main() {}
