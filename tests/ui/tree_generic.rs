use supervisor::prelude::*;

#[supervised]
async fn api(ctx: ChildContext) {
    ctx.cancelled().await
}

#[derive(Supervisor)]
struct App<T> {
    api: api,
    extra: T,
}

fn main() {}
