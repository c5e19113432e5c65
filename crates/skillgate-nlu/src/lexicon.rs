//! Per-language word lists: fillers people add, function words, common built-in intent
//! phrases, near-synonyms of command words, and the launch phrases of an invocation.

use crate::Lang;

/// Discourse fillers and politeness: words a person adds without changing the request.
pub fn fillers(lang: Lang) -> &'static [&'static str] {
    match lang {
        Lang::En => &[
            "please", "can", "could", "would", "will", "you", "want", "wanna", "like", "i'd",
            "just", "um", "uh", "hey", "so", "well", "actually", "honestly", "really", "maybe",
            "perhaps", "think", "guess", "believe", "let", "let's", "now", "then", "thanks",
            "thank", "alexa", "kindly", "okay", "oh", "hmm", "need", "try", "about", "how",
            "right", "go",
        ],
        Lang::Es => &[
            "por",
            "favor",
            "puedes",
            "podrías",
            "quiero",
            "quisiera",
            "me",
            "gustaría",
            "bueno",
            "pues",
            "vale",
            "oye",
            "alexa",
            "eh",
            "ahora",
            "gracias",
            "creo",
            "que",
            "quizás",
            "tal",
            "vez",
            "dime",
            "necesito",
            "saber",
        ],
        Lang::De => &[
            "bitte",
            "kannst",
            "könntest",
            "du",
            "mir",
            "ich",
            "möchte",
            "will",
            "würde",
            "gerne",
            "gern",
            "mal",
            "doch",
            "halt",
            "eben",
            "also",
            "na",
            "äh",
            "ähm",
            "alexa",
            "jetzt",
            "danke",
            "vielleicht",
            "glaube",
            "denke",
        ],
    }
}

/// Function words: articles, pronouns, prepositions, auxiliaries. They carry little meaning
/// and weigh little in the score.
pub fn function_words(lang: Lang) -> &'static [&'static str] {
    match lang {
        Lang::En => &[
            "a",
            "an",
            "the",
            "to",
            "of",
            "for",
            "in",
            "on",
            "at",
            "by",
            "with",
            "from",
            "my",
            "me",
            "i",
            "i'm",
            "is",
            "it",
            "it's",
            "are",
            "am",
            "be",
            "was",
            "do",
            "does",
            "did",
            "have",
            "has",
            "what",
            "what's",
            "whats",
            "some",
            "any",
            "this",
            "that",
            "these",
            "those",
            "and",
            "or",
            "there",
            "your",
            "our",
            "us",
            "we",
            "one",
            "up",
            "out",
            "which",
            "who",
            "its",
            "into",
            "as",
            "if",
            "all",
            "again",
            "more",
            "something",
            "anything",
            "tell",
        ],
        Lang::Es => &[
            "el", "la", "los", "las", "un", "una", "unos", "unas", "de", "del", "a", "al", "en",
            "con", "por", "para", "y", "o", "es", "son", "mi", "mis", "tu", "se", "lo", "le",
            "qué", "que", "cómo", "como", "este", "esta", "esto", "hay", "algo", "muy", "más",
        ],
        Lang::De => &[
            "der", "die", "das", "den", "dem", "des", "ein", "eine", "einen", "einem", "einer",
            "zu", "zum", "zur", "von", "vom", "mit", "in", "im", "an", "am", "auf", "für", "und",
            "oder", "ist", "sind", "mein", "meine", "meinen", "es", "was", "wie", "etwas", "mich",
        ],
    }
}

/// Phrases Alexa routes to built-in intents even when the model lists no samples for them.
pub fn builtin_phrases(lang: Lang, intent: &str) -> &'static [&'static str] {
    match lang {
        Lang::En => match intent {
            "AMAZON.CancelIntent" => &[
                "cancel",
                "cancel that",
                "never mind",
                "nevermind",
                "forget it",
            ],
            "AMAZON.HelpIntent" => &[
                "help",
                "help me",
                "what can i say",
                "what can you do",
                "i need help",
                "how does this work",
                "what do i do",
            ],
            "AMAZON.StopIntent" => &[
                "stop", "exit", "quit", "shut up", "be quiet", "goodbye", "bye", "end", "off",
                "leave",
            ],
            "AMAZON.YesIntent" => &[
                "yes",
                "yeah",
                "yep",
                "yup",
                "sure",
                "of course",
                "okay",
                "ok",
                "correct",
                "absolutely",
                "please do",
                "sounds good",
            ],
            "AMAZON.NoIntent" => &[
                "no",
                "nope",
                "nah",
                "no thanks",
                "no thank you",
                "not really",
                "negative",
                "no way",
            ],
            "AMAZON.RepeatIntent" => &[
                "repeat",
                "repeat that",
                "say that again",
                "say it again",
                "what did you say",
                "come again",
                "pardon",
            ],
            "AMAZON.StartOverIntent" => &[
                "start over",
                "restart",
                "start again",
                "begin again",
                "from the beginning",
                "start from the beginning",
            ],
            "AMAZON.NextIntent" => &["next", "skip", "next one", "skip this", "skip this one"],
            "AMAZON.PreviousIntent" => &["previous", "back", "go back", "previous one", "last one"],
            "AMAZON.PauseIntent" => &["pause", "hold on", "pause playback", "wait"],
            "AMAZON.ResumeIntent" => &["resume", "continue", "keep going", "unpause", "carry on"],
            "AMAZON.LoopOnIntent" => &["loop", "loop on", "turn on loop", "loop this"],
            "AMAZON.LoopOffIntent" => &["loop off", "turn off loop", "stop looping"],
            "AMAZON.ShuffleOnIntent" => &["shuffle", "shuffle on", "turn on shuffle"],
            "AMAZON.ShuffleOffIntent" => &["shuffle off", "turn off shuffle", "stop shuffling"],
            "AMAZON.MoreIntent" => &["more", "tell me more", "show more"],
            "AMAZON.NavigateHomeIntent" => &["go home", "home"],
            "AMAZON.ScrollDownIntent" => &["scroll down"],
            "AMAZON.ScrollUpIntent" => &["scroll up"],
            _ => &[],
        },
        Lang::Es => match intent {
            "AMAZON.CancelIntent" => &["cancela", "cancelar", "olvídalo", "déjalo"],
            "AMAZON.HelpIntent" => &[
                "ayuda",
                "ayúdame",
                "qué puedo decir",
                "qué puedes hacer",
                "necesito ayuda",
            ],
            "AMAZON.StopIntent" => &[
                "para", "parar", "detente", "stop", "salir", "adiós", "basta", "cállate",
            ],
            "AMAZON.YesIntent" => &[
                "sí",
                "si",
                "claro",
                "vale",
                "de acuerdo",
                "por supuesto",
                "correcto",
            ],
            "AMAZON.NoIntent" => &["no", "no gracias", "para nada", "negativo"],
            "AMAZON.RepeatIntent" => {
                &["repite", "repítelo", "repetir", "otra vez", "qué has dicho"]
            }
            "AMAZON.StartOverIntent" => {
                &["empezar de nuevo", "volver a empezar", "desde el principio"]
            }
            "AMAZON.NextIntent" => &["siguiente", "próximo", "salta"],
            "AMAZON.PreviousIntent" => &["anterior", "atrás", "vuelve"],
            "AMAZON.PauseIntent" => &["pausa", "espera"],
            "AMAZON.ResumeIntent" => &["continúa", "continuar", "reanudar", "sigue"],
            _ => &[],
        },
        Lang::De => match intent {
            "AMAZON.CancelIntent" => &["abbrechen", "brich ab", "vergiss es"],
            "AMAZON.HelpIntent" => &["hilfe", "hilf mir", "was kann ich sagen", "was kannst du"],
            "AMAZON.StopIntent" => &[
                "stopp",
                "stop",
                "halt",
                "beenden",
                "aufhören",
                "tschüss",
                "sei still",
            ],
            "AMAZON.YesIntent" => &["ja", "genau", "klar", "natürlich", "richtig", "okay"],
            "AMAZON.NoIntent" => &["nein", "nee", "nein danke", "auf keinen fall"],
            "AMAZON.RepeatIntent" => &["wiederholen", "wiederhole", "nochmal", "wie bitte"],
            "AMAZON.StartOverIntent" => &["von vorne", "neu starten", "nochmal von vorne"],
            "AMAZON.NextIntent" => &["weiter", "nächste", "nächster", "überspringen"],
            "AMAZON.PreviousIntent" => &["zurück", "vorherige", "vorheriger"],
            "AMAZON.PauseIntent" => &["pause", "anhalten"],
            "AMAZON.ResumeIntent" => &["fortsetzen", "weitermachen", "mach weiter"],
            _ => &[],
        },
    }
}

/// Groups of command words people use interchangeably.
pub fn synonym_groups(lang: Lang) -> &'static [&'static [&'static str]] {
    match lang {
        Lang::En => &[
            &["forward", "ahead", "forwards"],
            &["back", "backward", "backwards", "rewind"],
            &["begin", "start"],
            &["quit", "exit", "leave"],
            &["show", "list", "tell", "give", "read"],
            &["new", "latest", "recent", "newest"],
            &["skip", "jump"],
            &["want", "like", "love", "prefer"],
            &["hear", "listen"],
            &["make", "add", "create", "save", "set"],
            &["remove", "delete", "clear"],
            &["find", "search", "look"],
            &["get", "fetch", "give"],
            &["switch", "turn"],
            &["happening", "going"],
            &["events", "things", "stuff"],
            &["big", "large"],
            &["small", "little"],
            &["fact", "facts", "trivia", "information", "info"],
        ],
        Lang::Es => &[
            &["hacer", "preparar", "elaborar", "conseguir", "cocinar"],
            &["hace", "prepara", "elabora", "cocina"],
            &["hago", "preparo", "elaboro", "cocino"],
            &["receta", "recetas", "instrucciones"],
            &["dime", "cuéntame", "dame"],
        ],
        Lang::De => &[
            &["zeige", "zeig", "nenne", "sag", "sage"],
            &["starte", "beginne"],
            &["mach", "mache"],
        ],
    }
}

/// Words that open a skill ("open", "launch", "start"…), before the invocation name.
pub fn launch_words(lang: Lang) -> &'static [&'static str] {
    match lang {
        Lang::En => &[
            "open", "launch", "start", "begin", "run", "load", "play", "use", "talk to", "ask",
            "tell", "resume",
        ],
        Lang::Es => &[
            "abre",
            "abrir",
            "inicia",
            "iniciar",
            "lanza",
            "empieza",
            "pregunta a",
            "pregúntale a",
            "pide a",
            "dile a",
            "usa",
        ],
        Lang::De => &[
            "öffne", "starte", "frage", "frag", "sage", "sag", "beginne", "spiele", "benutze",
        ],
    }
}

/// Words between the invocation name and the request ("ask X to …", "tell X that …").
pub fn connecting_words(lang: Lang) -> &'static [&'static str] {
    match lang {
        Lang::En => &["to", "that", "whether", "if", "and", "about", "for"],
        Lang::Es => &["que", "para", "si", "y"],
        Lang::De => &["zu", "dass", "ob", "nach", "und"],
    }
}
