use supervisor::prelude::*;

#[supervised(role = "sidecar", primary = 3)]
async fn metrics(ctx: ChildContext) {
    ctx.cancelled().await
}

fn main() {}
