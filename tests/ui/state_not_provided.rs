use supervisor::prelude::*;

#[derive(Clone)]
struct AppState {
    name: String,
}

struct Db;

#[supervised(role = "service")]
async fn api(ctx: ChildContext, State(_db): State<Db>, State(app): State<AppState>) {
    let _ = app.name;
    ctx.cancelled().await
}

#[derive(Supervisor)]
#[supervisor(state = AppState)]
struct App {
    api: api,
}

fn main() {
    let _ = App::spec_with(AppState { name: "app".into() });
}
