use supervisor::prelude::*;

#[supervised(role = "service")]
async fn api(ctx: ChildContext) {
    ctx.cancelled().await
}

#[derive(Supervisor)]
struct App {
    #[child(every = "1m")]
    api: api,
}

fn main() {}
