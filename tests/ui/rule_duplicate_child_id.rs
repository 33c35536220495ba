use supervisor::prelude::*;

#[supervised(id = "cache")]
async fn warm_cache(ctx: ChildContext) {
    ctx.cancelled().await
}

#[supervised(id = "cache")]
async fn evict_cache(ctx: ChildContext) {
    ctx.cancelled().await
}

#[derive(Supervisor)]
struct App {
    warm: warm_cache,
    evict: evict_cache,
}

fn main() {}
