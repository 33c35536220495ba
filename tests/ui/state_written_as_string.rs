use supervisor::prelude::*;

#[derive(Clone)]
struct AppState;

#[supervised]
async fn api(ctx: ChildContext, State(_app): State<AppState>) {
    ctx.cancelled().await
}

#[derive(Supervisor)]
#[supervisor(state = "AppState")]
struct App {
    api: api,
}

fn main() {}
