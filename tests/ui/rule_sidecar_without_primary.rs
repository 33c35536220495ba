use supervisor::prelude::*;

#[supervised(role = "sidecar")]
async fn metrics(ctx: ChildContext) {
    ctx.cancelled().await
}

fn main() {}
