use supervisor::prelude::*;

#[supervised(role = "job", every = "0s")]
async fn report() {}

fn main() {}
