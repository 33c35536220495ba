use supervisor::prelude::*;

#[supervised]
async fn api(ctx: ChildContext) -> impl std::fmt::Debug {
    ctx.cancelled().await
}

fn main() {}
