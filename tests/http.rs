//! The HTTP face: tenant resolution (unknown → 404, suspended → 503), the home page, the API
//! and its spec, probes, metrics and the headers every response carries.

mod support;

use portail_tenants::{TenantStatus, registry};
use std::time::{Duration, Instant};
use support::*;

#[tokio::test]
async fn the_home_page_shows_the_welcome_text_the_contact_and_the_banner() {
    let Town {
        db, tenant: t, app, ..
    } = Town::build("home")
        .named("Mairie de Perros")
        .without_families()
        .start()
        .await;
    let response = app.get(&format!("/{}/", t.slug)).await;
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let html = response.text().await.unwrap();
    assert!(html.contains("<html lang=\"fr\">"));
    assert!(html.contains("<h1 id=\"bienvenue\">Bienvenue sur votre portail famille</h1>"));
    assert!(
        html.contains(
            "<li>payer vos factures pour les repas et les accueils périscolaires par CB</li>"
        ),
        "Markdown is rendered"
    );
    assert!(html.contains("1 place de la mairie – 22300 Lannion"));
    for label in [
        "Accueil",
        "Mon foyer",
        "Mes enfants",
        "Réservations",
        "Mes factures",
        "Mes documents",
        "Messagerie",
        "Se connecter",
    ] {
        assert!(
            html.contains(&format!(">{label}</a>")),
            "banner entry {label}"
        );
    }
    assert!(html.contains("Mairie de Perros"));
    // No third-party asset: every src/href/url() is on the portal's origin (TestApp::get
    // checks every page; here also that the check sees the page's own assets).
    html::assert_same_origin(&html, &[&app.base], "home");
    let urls = html::urls(&html);
    assert!(
        urls.iter()
            .any(|(attr, url)| *attr == "href" && url.starts_with("/static/portail.css")),
        "{urls:?}"
    );
    assert!(
        urls.iter()
            .any(|(attr, url)| *attr == "src" && url.starts_with("/static/portail.js")),
        "{urls:?}"
    );
    delete_tenant(&db, &t.slug).await;
}

#[tokio::test]
async fn html_in_the_welcome_text_is_shown_as_text() {
    let db = db(1).await;
    let slug = portail_tenants::Slug::parse(&random_slug("xss")).unwrap();
    let source = DEMO_CONFIG.replacen(
        "Pour faciliter votre quotidien,",
        "<script>alert('x')</script> [piège](javascript:alert(1)) Pour faciliter,",
        1,
    );
    let config = portail_tenants::TenantConfig::from_toml(&source).unwrap();
    portail_tenants::provisioning::create(&db, &slug, &config, &source)
        .await
        .unwrap();
    let app = TestApp::spawn().await;
    let html = app.get(&format!("/{slug}/")).await.text().await.unwrap();
    assert!(!html.contains("<script>alert"), "{html}");
    assert!(html.contains("&lt;script&gt;"));
    assert!(!html.contains("href=\"javascript:"));
    delete_tenant(&db, slug.as_str()).await;
}

#[tokio::test]
async fn an_unknown_municipality_answers_404_in_french_and_in_json() {
    let app = TestApp::spawn().await;
    let page = app.get("/ville-inconnue/").await;
    assert_eq!(page.status(), 404);
    let html = page.text().await.unwrap();
    assert!(html.contains("Portail introuvable"));
    assert!(html.contains("Aucun portail famille ne correspond à cette adresse"));

    let api = app.get("/ville-inconnue/api/v1/portal").await;
    assert_eq!(api.status(), 404);
    let body: serde_json::Value = api.json().await.unwrap();
    assert_eq!(body["code"], "tenant_not_found");

    for path in ["/", "/NOT_A_SLUG/", "/a/", "/%2e%2e/etc/passwd"] {
        assert_eq!(app.get(path).await.status(), 404, "{path}");
    }
}

#[tokio::test]
async fn a_suspended_municipality_answers_503_with_a_maintenance_page_then_comes_back() {
    let Town {
        db, tenant: t, app, ..
    } = Town::build("susp")
        .named("Mairie Suspendue")
        .without_families()
        .start()
        .await;
    assert_eq!(app.get(&format!("/{}/", t.slug)).await.status(), 200);

    registry::set_status(&db, &t.slug, TenantStatus::Suspended)
        .await
        .unwrap();
    let response = wait_for_status(&app, &format!("/{}/", t.slug), 503).await;
    assert_eq!(response.headers()["retry-after"], "120");
    let html = response.text().await.unwrap();
    assert!(html.contains("Portail en maintenance"));
    assert!(html.contains("Vos réservations et vos données sont conservées"));
    let api = app.get(&format!("/{}/api/v1/portal", t.slug)).await;
    assert_eq!(api.status(), 503);
    assert_eq!(
        api.json::<serde_json::Value>().await.unwrap()["code"],
        "tenant_suspended"
    );

    registry::set_status(&db, &t.slug, TenantStatus::Active)
        .await
        .unwrap();
    wait_for_status(&app, &format!("/{}/", t.slug), 200).await;
    delete_tenant(&db, &t.slug).await;
}

#[tokio::test]
async fn a_municipality_deleted_behind_the_cache_answers_404_never_500() {
    // The cached registry row outlives the municipality: what a replica sees between a lookup
    // and the drop of the schema, or while its change listener is down.
    let mut settings = test_settings();
    settings.tenant_cache_seconds = 600;
    let town = Town::build("gone").settings(settings).start().await;
    let paul = town.parent(PAUL).await;
    assert_eq!(paul.get("/household").await.status(), 200);
    let schema = town.tenant.schema_name.as_str().to_string();
    let gone = format!(
        "DELETE FROM public.tenants WHERE slug = '{}'; DROP SCHEMA \"{schema}\" CASCADE",
        town.slug()
    );
    sea_orm::ConnectionTrait::execute_unprepared(&town.db, &gone)
        .await
        .unwrap();

    let api = paul.get("/household").await;
    assert_eq!(api.status(), 404);
    let body: serde_json::Value = api.json().await.unwrap();
    assert_eq!(body["code"], "tenant_not_found");
    let page = paul.page("/foyer").await;
    assert_eq!(page.status(), 404);
    assert!(page.text().await.unwrap().contains("<html"));
    // The next request already knows: straight from the registry.
    assert_eq!(paul.get("/children").await.status(), 404);
}

/// The registry is cached for a second in the test app: changes show within a few.
async fn wait_for_status(app: &TestApp, path: &str, status: u16) -> reqwest::Response {
    let started = Instant::now();
    loop {
        let response = app.get(path).await;
        if response.status() == status {
            return response;
        }
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "{path} still answers {}",
            response.status()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn the_api_answers_the_portal_information_and_is_in_the_spec() {
    let Town {
        db, tenant: t, app, ..
    } = Town::build("api")
        .named("Mairie API")
        .without_families()
        .start()
        .await;
    let body: serde_json::Value = app
        .get(&format!("/{}/api/v1/portal", t.slug))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(body["name"], "Mairie API");
    assert_eq!(body["holiday_zone"], "B");
    assert_eq!(body["contact"]["city"], "Lannion");

    let spec: serde_json::Value = app.get("/api/openapi.json").await.json().await.unwrap();
    assert!(
        spec["paths"]["/{slug}/api/v1/portal"]["get"].is_object(),
        "{}",
        spec["paths"]
    );
    assert_eq!(app.get("/api/docs").await.status(), 200);

    let unknown = app.get(&format!("/{}/api/v1/nothing-here", t.slug)).await;
    assert_eq!(unknown.status(), 404);
    assert_eq!(
        unknown.json::<serde_json::Value>().await.unwrap()["code"],
        "not_found"
    );
    let wrong_method = app
        .client
        .delete(format!("{}/{}/api/v1/portal", app.base, t.slug))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong_method.status(), 405);
    assert_eq!(
        wrong_method.json::<serde_json::Value>().await.unwrap()["code"],
        "method_not_allowed"
    );
    delete_tenant(&db, &t.slug).await;
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let Town {
        db, tenant: t, app, ..
    } = Town::build("hdr")
        .named("Mairie Headers")
        .without_families()
        .start()
        .await;
    for path in [
        format!("/{}/", t.slug),
        "/healthz".into(),
        "/nowhere/".into(),
        format!("/{}/api/v1/portal", t.slug),
    ] {
        let response = app.get(&path).await;
        let h = response.headers();
        let csp = h["content-security-policy"].to_str().unwrap();
        assert!(
            csp.contains("frame-ancestors 'none'")
                && csp.contains("script-src 'self'")
                && !csp.contains("unsafe-inline"),
            "{path}: {csp}"
        );
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(h["x-frame-options"], "DENY", "{path}");
        assert!(h.contains_key("referrer-policy"), "{path}");
    }
    let https = app
        .client
        .get(format!("{}/{}/", app.base, t.slug))
        .header("x-forwarded-proto", "https")
        .send()
        .await
        .unwrap();
    assert!(
        https.headers()["strict-transport-security"]
            .to_str()
            .unwrap()
            .starts_with("max-age=")
    );
    let css = app.get("/static/portail.css").await;
    assert_eq!(css.headers()["content-type"], "text/css; charset=utf-8");
    assert!(
        css.headers()["cache-control"]
            .to_str()
            .unwrap()
            .contains("immutable")
    );
    delete_tenant(&db, &t.slug).await;
}

#[tokio::test]
async fn the_slug_without_a_trailing_slash_redirects_to_the_home_page() {
    let Town {
        db, tenant: t, app, ..
    } = Town::build("slash")
        .named("Mairie Slash")
        .without_families()
        .start()
        .await;
    let response = app.get(&format!("/{}", t.slug)).await;
    assert_eq!(response.status(), 308);
    assert_eq!(
        response.headers()["location"],
        format!("/{}/", t.slug).as_str()
    );
    let missing = app.get(&format!("/{}/page-inexistante", t.slug)).await;
    assert_eq!(missing.status(), 404);
    assert!(missing.text().await.unwrap().contains("Page introuvable"));
    delete_tenant(&db, &t.slug).await;
}

#[tokio::test]
async fn metrics_count_requests_by_route_and_status_with_latency_and_pools() {
    let app = TestApp::spawn().await;
    app.get("/healthz").await;
    app.get("/healthz").await;
    let text = app.get("/metrics").await.text().await.unwrap();
    assert!(
        text.contains("portail_http_requests_total{route=\"/healthz\",status=\"200\"} 2"),
        "{text}"
    );
    assert!(text.contains(
        "portail_http_request_duration_seconds_bucket{route=\"/healthz\",le=\"+Inf\"} 2"
    ));
    assert!(text.contains("portail_pool_connections{pool=\"postgres\",state=\"idle\"}"));
    assert!(text.contains("portail_pool_max_connections{pool=\"postgres\"}"));
}

#[tokio::test]
async fn liveness_is_always_ok_and_readiness_needs_postgres() {
    let app = TestApp::spawn().await;
    assert_eq!(app.get("/healthz").await.status(), 200);
    let ready: serde_json::Value = app.get("/readyz").await.json().await.unwrap();
    assert_eq!(ready["status"], "ready");

    let mut settings = test_settings();
    settings.database_url = portail::settings::Secret::new(format!(
        "postgres://portail@127.0.0.1:{}/portail",
        support::throwaway_redis::free_port()
    ));
    let no_db = TestApp::spawn_with(settings).await;
    assert_eq!(no_db.get("/healthz").await.status(), 200);
    let response = no_db.get("/readyz").await;
    assert_eq!(response.status(), 503);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["postgres"], "unreachable");
    assert_eq!(body["redis"], "ok");
    let page = no_db.get("/demo/").await;
    assert_eq!(
        page.status(),
        503,
        "a tenant page without PostgreSQL says so"
    );
    assert!(
        page.text()
            .await
            .unwrap()
            .contains("Service momentanément indisponible")
    );
}

#[tokio::test]
async fn readiness_fails_while_redis_is_down_and_recovers_without_restart() {
    let mut redis = support::throwaway_redis::ThrowawayRedis::start();
    redis.stop();
    let mut settings = test_settings();
    settings.redis_url = portail::settings::Secret::new(redis.url());
    let app = TestApp::spawn_with(settings).await;
    let r = app.get("/readyz").await;
    assert_eq!(r.status(), 503);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["redis"], "unreachable");

    redis.restart();
    let started = Instant::now();
    while app.get("/readyz").await.status() != 200 {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "never ready after Redis started"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    redis.stop();
    let started = Instant::now();
    while app.get("/readyz").await.status() != 503 {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "still ready after Redis stopped"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
