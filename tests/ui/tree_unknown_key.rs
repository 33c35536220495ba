use supervisor::prelude::*;

#[supervised]
async fn api(ctx: ChildContext) {
    ctx.cancelled().await
}

#[derive(Supervisor)]
#[supervisor(stratgy = "one_for_all")]
struct App {
    api: api,
}

fn main() {}
