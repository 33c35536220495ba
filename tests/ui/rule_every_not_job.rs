use supervisor::prelude::*;

#[supervised(role = "service", every = "5m")]
async fn api(ctx: ChildContext) {
    ctx.cancelled().await
}

fn main() {}
