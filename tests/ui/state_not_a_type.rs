use supervisor::prelude::*;

#[derive(Clone)]
struct AppState;

const APP_STATE: AppState = AppState;

#[supervised]
async fn api(ctx: ChildContext, State(_app): State<AppState>) {
    ctx.cancelled().await
}

#[derive(Supervisor)]
#[supervisor(state = APP_STATE)]
struct App {
    api: api,
}

fn main() {
    let _ = App::spec_with(AppState);
}
