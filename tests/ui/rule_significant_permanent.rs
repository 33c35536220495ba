use supervisor::prelude::*;

#[supervised(role = "service", significant = true)]
async fn api(ctx: ChildContext) {
    ctx.cancelled().await
}

fn main() {}
