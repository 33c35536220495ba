use supervisor::prelude::*;

#[supervised(role = "service")]
async fn api(ctx: ChildContext) {
    ctx.cancelled().await
}

#[supervised(primary = api)]
async fn metrics(ctx: ChildContext) {
    ctx.cancelled().await
}

fn main() {}
