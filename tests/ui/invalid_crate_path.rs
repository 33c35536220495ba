use supervisor::prelude::*;

#[supervised(crate = "not a path")]
async fn api(ctx: ChildContext) {
    ctx.cancelled().await
}

fn main() {}
