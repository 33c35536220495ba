use supervisor::prelude::*;

#[supervised]
async fn api(ctx: impl Into<ChildContext>) {
    let _ = ctx;
}

fn main() {}
