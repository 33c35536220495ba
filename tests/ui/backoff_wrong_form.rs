use supervisor::prelude::*;

#[supervised(backoff = "fast")]
async fn api(ctx: ChildContext) {
    ctx.cancelled().await
}

fn main() {}
