/// The values synthetic persons are made of. All invented; any likeness to a real person's
/// record is chance.
enum Pools {
    struct District {
        var code: String
        var name: String
        var streets: [String]
    }

    static let districts: [District] = [
        District(code: "510104", name: "锦江区", streets: ["春熙路街道", "书院街街道", "合江亭街道", "牛市口街道", "沙河街道"]),
        District(code: "510105", name: "青羊区", streets: ["少城街道", "草市街街道", "府南街道", "光华街道", "金沙街道"]),
        District(code: "510106", name: "金牛区", streets: ["抚琴街道", "西安路街道", "茶店子街道", "九里堤街道", "营门口街道"]),
        District(code: "510107", name: "武侯区", streets: ["玉林街道", "浆洗街街道", "火车南站街道", "红牌楼街道", "簇桥街道"]),
        District(code: "510108", name: "成华区", streets: ["猛追湾街道", "建设路街道", "双桥子街道", "府青路街道", "青龙街道"]),
    ]
    static let roadHeads = [
        "芳草", "红星", "清江", "抚琴", "星辉", "高升桥", "建设", "洗面桥", "东城根", "望平", "金府", "蜀汉", "万年场", "宽巷",
        "滨江", "佳灵", "府青", "沙湾", "科华", "人民", "天府", "锦绣", "文翁", "桂溪", "双林", "新华", "致民", "龙舟", "一品",
        "羊市", "同仁", "槐树", "长顺", "东风", "交子", "银杏", "浣花", "百花",
    ]
    static let roadTails = ["路", "街", "东路", "西路", "南路", "北路", "中路", "路一段", "路二段", "东街", "西街", "巷", "大道"]
    static let buildings = ["", "", "", "附1号", "2栋", "3栋1单元", "5栋2单元", "1幢", "A座", "6栋3单元", "8栋"]
    static let surnames = Array(
        "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
    ).map(String.init)
    static let maleCharacters = Array("伟强磊军勇杰涛明超刚平辉鹏华飞鑫波斌宇浩凯健俊帆帅旭宁龙林阳峰建国志文博晨昊然轩航").map(String.init)
    static let femaleCharacters = Array("芳娜敏静丽艳娟霞燕玲婷雪慧琳颖倩洁琴云莉兰萍红梅秀英晶欣怡佳雨桐思涵悦瑶璐蓉").map(String.init)
    static let minorityNames = [
        "阿依古丽·买买提", "买买提·吐尔逊", "古丽娜尔·艾力", "艾力·阿布都", "热依拉·努尔", "扎西·次仁", "阿布都·热合曼",
        "迪丽娜·阿不都", "努尔兰·哈力克", "次仁·卓玛",
    ]
    /// Names that thousands share.
    static let commonNames = [
        "张伟", "王伟", "王芳", "李伟", "李娜", "张敏", "李静", "王静", "刘伟", "王秀英", "张丽", "李秀英", "王丽", "张静",
        "张秀英", "李强", "王敏", "李敏", "王磊", "刘洋", "王艳", "王勇", "李军", "张勇", "李杰", "张杰", "张磊", "王强",
    ]
    static let femaleCommon: Set<String> = [
        "王芳", "李娜", "张敏", "李静", "王静", "王秀英", "张丽", "李秀英", "王丽", "张静", "张秀英", "王敏", "李敏", "王艳",
    ]
    static let mobilePrefixes = [
        "130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "155", "156", "157", "158",
        "159", "166", "173", "177", "180", "181", "182", "183", "186", "187", "188", "189", "198", "199",
    ]
    /// Characters typed for one another because they sound the same (toneless pinyin).
    static let homophones: [String: [String]] = [
        "张": ["章"], "章": ["张"], "伟": ["玮", "炜"], "王": ["汪"], "汪": ["王"], "刘": ["柳"], "杨": ["阳"], "阳": ["杨"],
        "林": ["琳", "霖"], "琳": ["林"], "军": ["君", "均"], "明": ["鸣", "铭"], "静": ["婧", "晶"], "晶": ["静"], "芳": ["方"],
        "方": ["芳"], "敏": ["民", "闽"], "丽": ["莉", "利"], "莉": ["丽"], "杰": ["洁", "捷"], "洁": ["杰"], "涛": ["韬"],
        "磊": ["蕾"], "强": ["蔷"], "勇": ["永", "涌"], "艳": ["燕", "雁"], "燕": ["艳"], "娜": ["那"], "华": ["桦"], "平": ["萍"],
        "萍": ["平"], "超": ["潮"], "鹏": ["朋"], "飞": ["菲"], "浩": ["昊"], "昊": ["浩"], "宇": ["雨", "羽"], "雨": ["宇"],
        "凯": ["楷"], "俊": ["峻", "骏"], "波": ["博"], "博": ["波"], "斌": ["彬", "滨"], "鑫": ["欣", "馨"], "欣": ["鑫"],
        "婷": ["庭"], "颖": ["莹", "英"], "英": ["颖"], "倩": ["茜"], "琴": ["勤"], "云": ["芸"], "梅": ["玫"], "红": ["宏", "虹"],
        "秀": ["修"], "玲": ["铃", "灵"], "霞": ["夏"], "娟": ["鹃"], "晨": ["辰"], "健": ["建"], "建": ["健"], "峰": ["锋"],
        "龙": ["隆"], "帆": ["凡"], "宁": ["凝"], "航": ["杭"], "志": ["智"], "文": ["雯"], "国": ["帼"], "然": ["冉"],
    ]

    static func commonNameSex(_ name: String) -> Int {
        femaleCommon.contains(name) ? 2 : 1
    }

    /// Whether two given names would read alike (a character-for-character homophone).
    static func samePinyin(_ a: String, _ b: String) -> Bool {
        let x = Array(a).map(String.init)
        let y = Array(b).map(String.init)
        guard x.count == y.count else { return false }
        return zip(x, y).allSatisfy { $0 == $1 || homophones[$0]?.contains($1) == true }
    }

    static func digits(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return String(repeating: "0", count: max(0, width - text.count)) + text
    }

    /// The ISO 7064 MOD 11-2 check character of 17 digits.
    static func checkCharacter(_ body: String) -> Character {
        let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
        let sum = zip(body.utf8, weights).reduce(0) { $0 + Int($1.0 - 48) * $1.1 }
        return Array("10X98765432")[sum % 11]
    }
}
