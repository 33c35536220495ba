use supervisor::prelude::*;

#[supervised]
async fn api(ctx: ChildContext) {
    ctx.cancelled().await
}

#[derive(Supervisor)]
struct App {
    api: api,
    port: u16,
}

fn main() {}
